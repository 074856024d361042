package faultproxy

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

func TestLatencyAddsDelay(t *testing.T) {
	tests := []struct {
		name      string
		d, jitter time.Duration
	}{
		{"fixed", 60 * time.Millisecond, 0},
		{"jittered", 60 * time.Millisecond, 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			echo := startEcho(t)
			p := newProxy(t, echo.addr())
			c := dial(t, p.Addr())
			mustEcho(t, c, "connect") // dial and handshake before measuring
			p.SetLatency(tt.d, tt.jitter)

			start := time.Now()
			mustEcho(t, c, "ping")
			rtt := time.Since(start)
			// Each direction is delayed by d-jitter at least.
			if low := 2 * (tt.d - tt.jitter); rtt < low {
				t.Fatalf("round trip %v, want >= %v", rtt, low)
			}
			if high := 2*(tt.d+tt.jitter) + 2*time.Second; rtt > high {
				t.Fatalf("round trip %v, want <= %v", rtt, high)
			}
		})
	}
}

func TestLatencyCanBeRemovedLive(t *testing.T) {
	echo := startEcho(t)
	p := newProxy(t, echo.addr())
	c := dial(t, p.Addr())
	p.SetLatency(300*time.Millisecond, 0)
	mustEcho(t, c, "slow")
	p.SetLatency(0, 0)
	start := time.Now()
	mustEcho(t, c, "fast")
	if rtt := time.Since(start); rtt >= 300*time.Millisecond {
		t.Fatalf("round trip %v after removing latency, want < 300ms", rtt)
	}
}

func TestJitterPreservesOrder(t *testing.T) {
	echo := startEcho(t)
	p := newProxy(t, echo.addr())
	p.SetLatency(10*time.Millisecond, 9*time.Millisecond)
	c := dial(t, p.Addr())

	var want bytes.Buffer
	for i := range 300 {
		fmt.Fprintf(&want, "msg-%04d;", i)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	errc := make(chan error, 1)
	go func() {
		data := want.Bytes()
		for len(data) > 0 {
			n := min(9, len(data)) // one small write per message
			if _, err := c.Write(data[:n]); err != nil {
				errc <- err
				return
			}
			data = data[n:]
		}
		errc <- nil
	}()
	got := make([]byte, want.Len())
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("bytes reordered or changed:\n got %.80q...\nwant %.80q...", got, want.Bytes())
	}
}
