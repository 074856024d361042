package transport

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// aheadLimit bounds the bytes a parked waiter reads ahead (a client
// pipelining requests behind its long poll, or a TLS close_notify); past it
// the waiter stops reading and no longer notices a closed connection.
const aheadLimit = 4096

// waiter is one parked long poll: what its answer needs, and what it took
// (the admission, a place in the long-poll gauge).
type waiter struct {
	lot  *parkingLot
	conn net.Conn // the hijacked connection (TLS or not)
	// raw is where the waiter reads to notice a closed connection (below
	// TLS); nil for a quiet waiter, which does not read.
	raw *peekConn
	// home takes the connection back after the answer; nil when the
	// connection did not come from a parking listener.
	home *parkListener
	// header holds what the middleware set (net/http no longer touches the
	// map once the connection is hijacked).
	header   http.Header
	since    uint64
	limit    int
	deadline time.Time
	start    time.Time
	route    string
	adm      admission
	gzip     bool
	http11   bool
	// keepAlive10 answers an HTTP/1.0 keep-alive request with
	// Connection: keep-alive; closeAfter closes the connection after the
	// answer instead of handing it back.
	keepAlive10 bool
	closeAfter  bool

	answering  bool // guarded by lot.mu
	prev, next *waiter
	one        [1]byte
}

// park hands a long poll whose delta is empty to the parking lot, so that
// it waits without net/http's goroutine and buffers. It reports false,
// having done nothing, when the request cannot be parked (no parking
// listener, HTTP/2, a request body, or the delta is not empty): the caller
// then answers in the handler.
func (s *Server) park(w http.ResponseWriter, r *http.Request, since uint64, limit int, wait time.Duration) bool {
	lot := s.lot.Load()
	sw, ok := w.(*statusWriter)
	if lot == nil || !ok || r.ProtoMajor != 1 || r.Body != http.NoBody || lot.isClosed() {
		return false
	}
	if !s.renderDelta(since, limit).empty {
		return false
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	wt := &waiter{
		lot: lot, conn: conn, header: w.Header(),
		since: since, limit: limit, deadline: time.Now().Add(wait),
		start: sw.start, route: sw.route, adm: sw.adm,
		gzip: acceptsGzip(r), http11: r.ProtoAtLeast(1, 1),
		keepAlive10: r.ProtoMinor == 0 && hasToken(r.Header.Get("Connection"), "keep-alive"),
		closeAfter:  r.Close,
	}
	sw.parked = true
	if raw := peekConnOf(conn); raw != nil {
		wt.lot, wt.raw, wt.home = raw.home.lot, raw, raw.home
	} else {
		// Not from a parking listener: wait quietly, then close.
		wt.closeAfter = true
	}
	if n := brw.Reader.Buffered(); n > 0 {
		// Bytes pipelined behind the request. Below TLS they can be put
		// back in front of the connection; above it they cannot, so a TLS
		// connection closes after the answer (Connection: close).
		pipelined, _ := brw.Reader.Peek(n)
		if _, plain := conn.(*peekConn); !plain || wt.raw == nil {
			wt.closeAfter = true
		} else {
			wt.raw.ahead = append(append(make([]byte, 0, n+len(wt.raw.ahead)), pipelined...), wt.raw.ahead...)
		}
		wt.raw = nil // do not read further: the client is there
	}
	s.metrics.longPolls.Inc()
	if !wt.lot.add(wt) {
		_ = conn.Close()
		wt.finish()
	}
	return true
}

// run waits for a change, the deadline or the client's leaving, answers,
// and hands the connection back (or closes it).
func (w *waiter) run() {
	defer w.lot.wg.Done()
	defer func() {
		if p := recover(); p != nil {
			w.lot.s.log.Error().Interface("panic", p).Msg("parked long poll panic")
			_ = w.conn.Close()
			w.lot.remove(w)
			w.finish()
		}
	}()
	var e *renderedDelta
	var leave bool
	if w.raw != nil {
		e, leave = w.waitReading()
	} else {
		e, leave = w.waitQuiet()
	}
	if e == nil {
		// Closed by the lot, or the connection broke: nobody to answer.
		_ = w.conn.Close()
		w.lot.remove(w)
		w.finish()
		return
	}
	w.answer(e, leave)
}

// waitReading blocks reading the connection with the wait deadline as read
// deadline; the lot's broadcast moves the deadline to the past. It returns
// the answer (nil when the connection is closed or broken) and whether the
// client has closed its side (EOF: answered, then closed).
func (w *waiter) waitReading() (*renderedDelta, bool) {
	s := w.lot.s
	for {
		gen := w.lot.gen.Load()
		e := s.renderDelta(w.since, w.limit)
		if !e.empty || !time.Now().Before(w.deadline) {
			return e, false
		}
		if err := w.raw.SetReadDeadline(w.deadline); err != nil {
			return nil, false
		}
		if w.lot.gen.Load() != gen {
			continue // a change came after rendering: its wake-up may be lost
		}
		err := w.readAhead()
		switch {
		case err == nil || errors.Is(err, os.ErrDeadlineExceeded):
		case errors.Is(err, errAheadFull):
			return w.waitQuiet()
		case errors.Is(err, io.EOF):
			return s.renderDelta(w.since, w.limit), true
		default:
			return nil, false
		}
	}
}

// errAheadFull means a waiter holds aheadLimit bytes read ahead.
var errAheadFull = errors.New("read-ahead buffer full")

// readAhead reads what the client sends while parked into the peekConn's
// read-ahead bytes (one byte first, so a silent client costs no buffer).
func (w *waiter) readAhead() error {
	c := w.raw
	if c.ahead == nil {
		n, err := c.Conn.Read(w.one[:])
		if n > 0 {
			c.ahead = append(make([]byte, 0, 512), w.one[0])
		}
		return err
	}
	if len(c.ahead) >= aheadLimit {
		return errAheadFull
	}
	if len(c.ahead) == cap(c.ahead) {
		c.ahead = append(c.ahead, 0)[:len(c.ahead)]
	}
	n, err := c.Conn.Read(c.ahead[len(c.ahead):min(cap(c.ahead), aheadLimit)])
	c.ahead = c.ahead[:len(c.ahead)+n]
	return err
}

// waitQuiet waits on the node's change channel and a timer, without
// reading the connection (so without noticing that the client left).
func (w *waiter) waitQuiet() (*renderedDelta, bool) {
	s := w.lot.s
	t := time.NewTimer(time.Until(w.deadline))
	defer t.Stop()
	for {
		changed := s.store.Changed() // before rendering, so no change is missed
		e := s.renderDelta(w.since, w.limit)
		if !e.empty {
			return e, false
		}
		select {
		case <-changed:
		case <-t.C:
			return s.renderDelta(w.since, w.limit), false
		case <-w.lot.done:
			return nil, false
		}
	}
}

// finish gives back what the request took and records it (once, as the
// handler path does, whether or not the client was still there).
func (w *waiter) finish() {
	w.adm.release()
	w.lot.s.metrics.longPolls.Dec()
	w.lot.s.metrics.observe(w.route, http.StatusOK, time.Since(w.start))
}

// hasToken reports whether a comma-separated header value lists token
// (case-insensitive).
func hasToken(v, token string) bool {
	for v != "" {
		var part string
		part, v, _ = strings.Cut(v, ",")
		if strings.EqualFold(strings.TrimSpace(part), token) {
			return true
		}
	}
	return false
}
