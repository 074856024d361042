package faultproxy

import (
	"errors"
	"io"
	"net"
	"time"
)

// readBufSize is the largest chunk read from a sender at once.
const readBufSize = 32 << 10

// queueLen is how many chunks one direction of a connection may hold in
// flight (the simulated link's window).
const queueLen = 64

// chunk is a run of bytes and the earliest time it may be delivered.
type chunk struct {
	data []byte
	at   time.Time
}

// pipe forwards src to dst through a FIFO queue of timestamped chunks until
// src ends or the connection is killed.
func (c *conn) pipe(src, dst net.Conn, dir *direction) {
	q := make(chan chunk, queueLen)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.deliver(dst, q, dir)
	}()
	c.receive(src, q, dir)
	<-done
}

// receive reads chunks from src, meters them against the bandwidth cap,
// stamps each with its delivery time and queues it. It closes q when src
// ends; a read error other than EOF kills the connection with a reset, so
// the other side sees what this side saw.
func (c *conn) receive(src net.Conn, q chan<- chunk, dir *direction) {
	defer close(q)
	var last time.Time
	buf := make([]byte, readBufSize)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if werr := dir.wait(c.ctx, n); werr != nil {
				return
			}
			at := time.Now().Add(c.p.sampleDelay())
			if at.Before(last) {
				at = last // never overtake the previous chunk
			}
			last = at
			data := make([]byte, n)
			copy(data, buf[:n])
			select {
			case q <- chunk{data: data, at: at}:
			case <-c.ctx.Done():
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				c.kill(true)
			}
			return
		}
	}
}

// deliver writes queued chunks to dst, each no earlier than its timestamp and
// only while the proxy is not blackholed. When the queue ends cleanly it
// half-closes dst so the EOF travels on.
func (c *conn) deliver(dst net.Conn, q <-chan chunk, dir *direction) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		var ch chunk
		var ok bool
		select {
		case ch, ok = <-q:
		case <-c.ctx.Done():
			return
		}
		if !ok {
			if c.ctx.Err() == nil {
				closeWrite(dst)
			}
			return
		}
		if wait := time.Until(ch.at); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-c.ctx.Done():
				return
			}
		}
		if !c.p.waitOpen(c.ctx) {
			return
		}
		if _, err := dst.Write(ch.data); err != nil {
			c.kill(true)
			return
		}
		dir.bytes.Add(int64(len(ch.data)))
	}
}

// closeWrite half-closes a TCP connection, or closes any other kind.
func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
		return
	}
	_ = c.Close()
}
