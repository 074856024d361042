package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// dialTimeout bounds how long the proxy waits to connect to its target.
const dialTimeout = 5 * time.Second

// acceptBackoff is the pause after a temporary Accept error.
const acceptBackoff = 10 * time.Millisecond

// mode is the connectivity fault a Proxy applies.
type mode int

const (
	modeOpen      mode = iota // forward normally
	modePartition             // reset every connection
	modeBlackhole             // hold every byte, dial nothing
)

// Proxy forwards TCP connections from its own listener to a target address
// and injects faults into them. All methods are safe for concurrent use.
type Proxy struct {
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	target  string
	mode    mode
	latency time.Duration
	jitter  time.Duration
	dropP   float64
	changed chan struct{} // closed and replaced whenever mode changes
	conns   map[*conn]struct{}
	closed  bool

	toTarget   direction
	fromTarget direction
	counters   counters
}

// New starts a proxy listening on 127.0.0.1:0 that forwards to target
// (host:port). Close it when done.
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen for target %s: %w", target, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		ln:      ln,
		ctx:     ctx,
		cancel:  cancel,
		target:  target,
		changed: make(chan struct{}),
		conns:   make(map[*conn]struct{}),
	}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr returns the proxy's listening address (127.0.0.1:port): the address a
// client dials instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target returns the address new connections are forwarded to.
func (p *Proxy) Target() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.target
}

// SetTarget changes the address new connections are forwarded to, for a
// node restarted on another port. Live connections keep their old target.
func (p *Proxy) SetTarget(target string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = target
}

// Close stops the listener, closes every live connection and waits until
// every goroutine of the proxy has ended. It is safe to call more than once.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	live := p.snapshotLocked()
	p.mu.Unlock()

	p.cancel()
	err := p.ln.Close()
	for _, c := range live {
		c.kill(false)
	}
	p.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("faultproxy: close listener %s: %w", p.Addr(), err)
	}
	return nil
}

// acceptLoop accepts connections until the listener is closed.
func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		nc, err := p.ln.Accept()
		if err != nil {
			if p.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-time.After(acceptBackoff):
				continue
			case <-p.ctx.Done():
				return
			}
		}
		p.counters.accepted.Add(1)
		p.admit(nc)
	}
}

// admit starts serving nc, or resets it when the proxy is partitioned, the
// drop lottery says so, or the proxy is closing.
func (p *Proxy) admit(nc net.Conn) {
	p.mu.Lock()
	reject := p.closed || p.mode == modePartition || (p.dropP > 0 && rand.Float64() < p.dropP)
	if reject {
		p.mu.Unlock()
		p.counters.rejected.Add(1)
		closeConn(nc, true)
		return
	}
	c := newConn(p, nc)
	p.conns[c] = struct{}{}
	p.wg.Add(1)
	p.mu.Unlock()
	go p.serve(c)
}

// remove forgets a finished connection.
func (p *Proxy) remove(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

// snapshotLocked returns the live connections; p.mu must be held.
func (p *Proxy) snapshotLocked() []*conn {
	live := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		live = append(live, c)
	}
	return live
}

// closeConn closes c; with reset it first sets SO_LINGER to 0 so that the
// peer gets a TCP RST instead of an orderly FIN.
func closeConn(c net.Conn, reset bool) {
	if reset {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	}
	_ = c.Close()
}
