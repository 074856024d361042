package faultproxy

import (
	"context"
	"net"
	"sync"
)

// conn is one proxied connection: the accepted client side and, once
// dialled, the upstream side to the target.
type conn struct {
	p      *Proxy
	client net.Conn
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	upstream net.Conn
	dead     bool
}

// newConn wraps an accepted connection.
func newConn(p *Proxy, client net.Conn) *conn {
	ctx, cancel := context.WithCancel(p.ctx)
	return &conn{p: p, client: client, ctx: ctx, cancel: cancel}
}

// kill closes both sides once, with a TCP RST when reset is set. It reports
// whether this call did the closing.
func (c *conn) kill(reset bool) bool {
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return false
	}
	c.dead = true
	up := c.upstream
	c.mu.Unlock()

	c.cancel()
	closeConn(c.client, reset)
	if up != nil {
		closeConn(up, reset)
	}
	return true
}

// setUpstream records the dialled upstream connection. It returns false, and
// closes up, when the connection was killed meanwhile.
func (c *conn) setUpstream(up net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		closeConn(up, true)
		return false
	}
	c.upstream = up
	return true
}

// serve dials the target (after any black hole ends) and pumps bytes both
// ways until both directions finish or the connection is killed.
func (p *Proxy) serve(c *conn) {
	defer p.wg.Done()
	defer p.remove(c)
	defer c.kill(false)

	if !p.waitOpen(c.ctx) {
		return
	}
	d := net.Dialer{Timeout: dialTimeout}
	up, err := d.DialContext(c.ctx, "tcp", p.Target())
	if err != nil {
		// The target is down: let the client see a refused connection.
		c.kill(true)
		return
	}
	if !c.setUpstream(up) {
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.pipe(c.client, up, &p.toTarget)
	}()
	go func() {
		defer wg.Done()
		c.pipe(up, c.client, &p.fromTarget)
	}()
	wg.Wait()
}
