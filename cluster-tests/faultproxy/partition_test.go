package faultproxy

import (
	"io"
	"testing"
	"time"
)

func TestPartitionCutsAndHealRestores(t *testing.T) {
	echo := startEcho(t)
	p := newProxy(t, echo.addr())
	live := dial(t, p.Addr())
	mustEcho(t, live, "before")

	p.Partition()
	expectCut(t, live)
	expectRefused(t, p.Addr()) // accepted, then reset at once
	if s := p.Stats(); s.Reset != 1 || s.Rejected != 1 {
		t.Fatalf("stats = %+v, want 1 reset and 1 rejected", s)
	}

	p.Heal()
	mustEcho(t, dial(t, p.Addr()), "after")
}

func TestBlackholeStallsUntilHeal(t *testing.T) {
	echo := startEcho(t)
	p := newProxy(t, echo.addr())
	live := dial(t, p.Addr())
	mustEcho(t, live, "before")

	p.Blackhole()
	fresh := dial(t, p.Addr()) // the handshake completes, nothing flows
	for _, c := range []interface {
		Write([]byte) (int, error)
	}{live, fresh} {
		if _, err := c.Write([]byte("held")); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	buf := make([]byte, 4)
	_ = live.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := io.ReadFull(live, buf); !isTimeout(err) {
		t.Fatalf("read through black hole: err = %v, want a timeout", err)
	}
	_ = fresh.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := io.ReadFull(fresh, buf); !isTimeout(err) {
		t.Fatalf("read on new connection through black hole: err = %v, want a timeout", err)
	}

	p.Heal()
	for name, c := range map[string]interface {
		Read([]byte) (int, error)
		SetReadDeadline(time.Time) error
	}{"live": live, "fresh": fresh} {
		_ = c.SetReadDeadline(time.Now().Add(ioTimeout))
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatalf("%s: held bytes not delivered after Heal: %v", name, err)
		}
		if string(buf) != "held" {
			t.Fatalf("%s: got %q, want %q", name, buf, "held")
		}
	}
	if s := p.Stats(); s.Reset != 0 || s.Rejected != 0 {
		t.Fatalf("stats = %+v, want nothing reset by a black hole", s)
	}
}

func TestResetAllResetsOnce(t *testing.T) {
	echo := startEcho(t)
	p := newProxy(t, echo.addr())
	a, b := dial(t, p.Addr()), dial(t, p.Addr())
	mustEcho(t, a, "a")
	mustEcho(t, b, "b")

	p.ResetAll()
	expectCut(t, a)
	expectCut(t, b)
	if got := p.Stats().Reset; got != 2 {
		t.Fatalf("Reset = %d, want 2", got)
	}
	mustEcho(t, dial(t, p.Addr()), "new connections still work")
}

func TestDropProbability(t *testing.T) {
	tests := []struct {
		name         string
		p            float64
		wantRejected int64
	}{
		{"never", 0, 0},
		{"always", 1, 5},
		{"clamped above one", 7, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			echo := startEcho(t)
			p := newProxy(t, echo.addr())
			live := dial(t, p.Addr())
			mustEcho(t, live, "admitted before drops")
			p.DropProbability(tt.p)
			for range 5 {
				if tt.wantRejected == 0 {
					mustEcho(t, dial(t, p.Addr()), "kept")
				} else {
					expectRefused(t, p.Addr())
				}
			}
			mustEcho(t, live, "live connections are not dropped")
			if got := p.Stats().Rejected; got != tt.wantRejected {
				t.Fatalf("Rejected = %d, want %d", got, tt.wantRejected)
			}
		})
	}
}
