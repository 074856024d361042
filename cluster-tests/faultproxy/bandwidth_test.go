package faultproxy

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// transfer sends n bytes through c to an echo server and reads them back,
// returning the elapsed time.
func transfer(t *testing.T, c interface {
	io.ReadWriter
	SetDeadline(time.Time) error
}, n int) time.Duration {
	t.Helper()
	msg := bytes.Repeat([]byte{0x5a}, n)
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(msg)
		errc <- err
	}()
	got := make([]byte, n)
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	elapsed := time.Since(start)
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatal("payload changed in transit")
	}
	return elapsed
}

func TestBandwidthCapsThroughput(t *testing.T) {
	const (
		limit = 100 << 10 // bytes per second, each direction
		size  = 100 << 10
	)
	echo := startEcho(t)
	p := newProxy(t, echo.addr())
	p.SetBandwidth(limit)
	c := dial(t, p.Addr())

	elapsed := transfer(t, c, size)
	// The bucket starts full (a tenth of a second of traffic) and the two
	// directions overlap, so the floor is about 0.9s; allow a factor of two.
	if low := 450 * time.Millisecond; elapsed < low {
		t.Fatalf("%d bytes at %d B/s took %v, want >= %v", size, limit, elapsed, low)
	}
	if high := 5 * time.Second; elapsed > high {
		t.Fatalf("%d bytes at %d B/s took %v, want <= %v", size, limit, elapsed, high)
	}

	// 1 MiB would take over 10s at the old cap.
	p.SetBandwidth(0)
	if elapsed := transfer(t, c, 1<<20); elapsed > 3*time.Second {
		t.Fatalf("unlimited transfer of 1 MiB took %v, want < 3s", elapsed)
	}
}
