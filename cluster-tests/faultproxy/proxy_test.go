package faultproxy

import (
	"bytes"
	"net"
	"runtime"
	"testing"
	"time"
)

func TestForwardsAndCounts(t *testing.T) {
	echo := startEcho(t)
	p := newProxy(t, echo.addr())
	c := dial(t, p.Addr())
	msg := bytes.Repeat([]byte("tekstore"), 1000)
	got, err := roundTrip(c, msg, ioTimeout)
	if err != nil {
		t.Fatalf("round trip: %v", err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echo mismatch: got %d bytes", len(got))
	}
	waitFor(t, "byte counters", ioTimeout, func() bool {
		s := p.Stats()
		return s.BytesToTarget == int64(len(msg)) && s.BytesFromTarget == int64(len(msg))
	})
	s := p.Stats()
	if s.Accepted != 1 || s.Active != 1 || s.Rejected != 0 || s.Reset != 0 {
		t.Fatalf("stats = %+v, want 1 accepted, 1 active, none rejected or reset", s)
	}
	if got, want := p.Target(), echo.addr(); got != want {
		t.Fatalf("Target() = %q, want %q", got, want)
	}
}

func TestHalfCloseTravels(t *testing.T) {
	echo := startEcho(t)
	p := newProxy(t, echo.addr())
	c := dial(t, p.Addr())
	if _, err := c.Write([]byte("bye")); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatalf("CloseWrite: %v", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(ioTimeout))
	var all []byte
	buf := make([]byte, 16)
	for {
		n, err := c.Read(buf)
		all = append(all, buf[:n]...)
		if err != nil {
			if isTimeout(err) {
				t.Fatalf("no EOF after half-close: %v", err)
			}
			break
		}
	}
	if string(all) != "bye" {
		t.Fatalf("got %q, want %q", all, "bye")
	}
	waitFor(t, "connection to finish", ioTimeout, func() bool { return p.Stats().Active == 0 })
}

func TestSetTargetAppliesToNewConnections(t *testing.T) {
	first, second := startEcho(t), startEcho(t)
	p := newProxy(t, first.addr())
	old := dial(t, p.Addr())
	mustEcho(t, old, "one")
	p.SetTarget(second.addr())
	mustEcho(t, old, "still one")
	mustEcho(t, dial(t, p.Addr()), "two")
	if got, want := p.Target(), second.addr(); got != want {
		t.Fatalf("Target() = %q, want %q", got, want)
	}
}

func TestTargetDownResetsClient(t *testing.T) {
	echo := startEcho(t)
	addr := echo.addr()
	echo.close()
	p := newProxy(t, addr)
	expectRefused(t, p.Addr())
}

func TestCloseEndsConnectionsWithoutLeaks(t *testing.T) {
	echo := startEcho(t)
	before := runtime.NumGoroutine()

	p, err := New(echo.addr())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p.SetLatency(20*time.Millisecond, 10*time.Millisecond)
	p.SetBandwidth(1 << 20)
	var conns []net.Conn
	for i := range 4 {
		c := dial(t, p.Addr())
		conns = append(conns, c)
		mustEcho(t, c, "warm up")
		if i == 3 {
			p.Blackhole() // one connection stalled mid-flight
			if _, err := c.Write([]byte("held")); err != nil {
				t.Fatalf("write: %v", err)
			}
		}
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for _, c := range conns {
		expectCut(t, c)
	}
	waitFor(t, "goroutines to end", 10*time.Second, func() bool {
		return runtime.NumGoroutine() <= before
	})
}
