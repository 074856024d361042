package transport

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"time"
)

// answerWriteTimeout bounds the writing of a parked answer: a client that
// does not read cannot hold its waiter.
const answerWriteTimeout = 10 * time.Second

// maxCopiedBody is the largest body copied behind the header to go out in
// one write; larger ones are written from the shared rendering.
const maxCopiedBody = 8 << 10

// answer writes a parked long poll's answer, records it, and hands the
// connection back to net/http, or closes it when the request asked for
// that, the client has closed its side, or the lot is closing.
func (w *waiter) answer(e *renderedDelta, clientLeft bool) {
	closing := w.lot.answering(w)
	closeConn := w.closeAfter || clientLeft || closing || w.home == nil
	aw := answerWriter{s: w.lot.s, header: w.header}
	writeRenderedAs(&aw, w.gzip, e)
	msg := w.appendHead(make([]byte, 0, 512+min(len(aw.body), maxCopiedBody)), &aw, closeConn)
	err := w.conn.SetWriteDeadline(time.Now().Add(answerWriteTimeout))
	if err == nil {
		if len(aw.body) <= maxCopiedBody {
			_, err = w.conn.Write(append(msg, aw.body...))
		} else {
			bufs := net.Buffers{msg, aw.body}
			_, err = bufs.WriteTo(w.conn)
		}
	}
	w.lot.remove(w)
	w.finish()
	if err == nil && !closeConn {
		err = w.conn.SetDeadline(time.Time{})
	}
	if err != nil || closeConn {
		_ = w.conn.Close()
		return
	}
	w.home.handBack(w.conn)
}

// appendHead appends the status line and header of an HTTP/1.x answer as
// net/http writes them: the handler's header (sorted), then Date and the
// Connection header net/http would add.
func (w *waiter) appendHead(b []byte, aw *answerWriter, closeConn bool) []byte {
	if w.http11 {
		b = append(b, "HTTP/1.1 "...)
	} else {
		b = append(b, "HTTP/1.0 "...)
	}
	b = strconv.AppendInt(b, int64(aw.status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(aw.status)...)
	b = append(b, "\r\n"...)
	buf := bytes.NewBuffer(b)
	_ = aw.header.Write(buf) // a bytes.Buffer does not fail
	b = buf.Bytes()
	if _, ok := aw.header["Date"]; !ok {
		b = append(b, "Date: "...)
		b = time.Now().UTC().AppendFormat(b, http.TimeFormat)
		b = append(b, "\r\n"...)
	}
	switch {
	case closeConn && w.http11:
		b = append(b, "Connection: close\r\n"...)
	case !closeConn && w.keepAlive10:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, "\r\n"...)
}

// answerWriter is the http.ResponseWriter of a parked answer: it collects
// what writeRenderedAs writes, and sets X-Tekstore-Index like statusWriter
// (the index when answering).
type answerWriter struct {
	s      *Server
	header http.Header
	status int
	body   []byte
}

// Header returns the answer's header.
func (a *answerWriter) Header() http.Header { return a.header }

// WriteHeader records the status and sets X-Tekstore-Index.
func (a *answerWriter) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
		a.s.setIndexHeader(a.header)
	}
}

// Write records the body (the shared rendering, not a copy, when written
// at once).
func (a *answerWriter) Write(p []byte) (int, error) {
	if a.status == 0 {
		a.WriteHeader(http.StatusOK)
	}
	if a.body == nil {
		a.body = p
	} else {
		a.body = append(a.body[:len(a.body):len(a.body)], p...)
	}
	return len(p), nil
}
