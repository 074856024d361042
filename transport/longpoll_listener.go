package transport

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
)

// Listener wraps the listener the API's http.Server serves so that long
// polls can be parked outside net/http: a GET /v1/keys?wait=D whose delta
// is empty is hijacked and waits in the server's parking lot, without
// net/http's goroutine and buffers. After its answer the connection comes
// back out of Accept and net/http serves it again (keep-alive).
//
// inner is the TCP listener (with its connection cap); tlsConfig, when not
// nil, makes the listener serve TLS (its NextProtos must be what
// http.Server.ServeTLS would set). Serve the returned listener with
// http.Server.Serve, not ServeTLS. Closing it (http.Server.Shutdown and
// Close do) closes the parked connections too. Requests that arrive
// through other listeners, and HTTP/2 requests, wait in their handler.
func (s *Server) Listener(inner net.Listener, tlsConfig *tls.Config) net.Listener {
	lot := newParkingLot(s)
	pl := &parkListener{
		lot:      lot,
		back:     make(chan net.Conn),
		accepted: make(chan acceptResult),
		done:     make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	var ln net.Listener = &peekListener{Listener: inner, home: pl}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	pl.inner = ln
	s.lot.Store(lot)
	go pl.acceptLoop()
	return pl
}

// parkListener returns newly accepted connections and, through handBack,
// connections whose parked long poll was answered.
type parkListener struct {
	inner    net.Listener
	lot      *parkingLot
	back     chan net.Conn
	accepted chan acceptResult
	done     chan struct{}
	loopDone chan struct{}
	once     sync.Once
	closeErr error
}

type acceptResult struct {
	conn net.Conn
	err  error
}

// Accept returns the next new or handed-back connection.
func (l *parkListener) Accept() (net.Conn, error) {
	select {
	case <-l.done:
		return nil, net.ErrClosed
	default:
	}
	select {
	case c := <-l.back:
		return c, nil
	case r := <-l.accepted:
		return r.conn, r.err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// acceptLoop feeds Accept from the inner listener until it is closed.
func (l *parkListener) acceptLoop() {
	defer close(l.loopDone)
	for {
		c, err := l.inner.Accept()
		select {
		case l.accepted <- acceptResult{conn: c, err: err}:
		case <-l.done:
			if c != nil {
				_ = c.Close()
			}
			return
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
	}
}

// handBack returns an answered connection to the http.Server, or closes it
// when the listener is closed.
func (l *parkListener) handBack(c net.Conn) {
	select {
	case l.back <- c:
	case <-l.done:
		_ = c.Close()
	}
}

// Close stops accepting, closes the parked connections and waits for
// their goroutines to end.
func (l *parkListener) Close() error {
	l.once.Do(func() {
		close(l.done)
		l.closeErr = l.inner.Close()
		<-l.loopDone
		l.lot.close()
	})
	return l.closeErr
}

// Addr is the inner listener's address.
func (l *parkListener) Addr() net.Addr { return l.inner.Addr() }

// peekListener wraps each accepted connection in a peekConn, below TLS.
type peekListener struct {
	net.Listener
	home *parkListener
}

// Accept wraps the next connection.
func (l *peekListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &peekConn{Conn: c, home: l.home}, nil
}

// peekConn is a connection (below TLS, if any) that keeps the bytes a
// client sent while its long poll was parked: they are read to notice a
// closed connection, and given back by Read before anything else.
type peekConn struct {
	net.Conn
	home  *parkListener
	ahead []byte
}

// Read returns the bytes read ahead first.
func (c *peekConn) Read(p []byte) (int, error) {
	if len(c.ahead) > 0 {
		n := copy(p, c.ahead)
		c.ahead = c.ahead[n:]
		if len(c.ahead) == 0 {
			c.ahead = nil
		}
		return n, nil
	}
	return c.Conn.Read(p)
}

// peekConnOf finds the peekConn under a hijacked connection.
func peekConnOf(c net.Conn) *peekConn {
	switch t := c.(type) {
	case *peekConn:
		return t
	case *tls.Conn:
		p, _ := t.NetConn().(*peekConn)
		return p
	}
	return nil
}
