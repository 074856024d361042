package faultproxy

import (
	"errors"
	"net"
	"testing"
	"time"
)

// testNet builds a Net over one echo server per node; dcs maps node -> dc.
func testNet(t *testing.T, dcs map[string]string) *Net {
	t.Helper()
	n := NewNet()
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Net.Close: %v", err)
		}
	})
	for id, dc := range dcs {
		if err := n.AddNode(id, dc, startEcho(t).addr()); err != nil {
			t.Fatalf("AddNode(%s): %v", id, err)
		}
	}
	return n
}

// linkWorks reports whether an echo succeeds from -> to within a short time.
func linkWorks(t *testing.T, n *Net, from, to string) bool {
	t.Helper()
	addr, err := n.Addr(from, to)
	if err != nil {
		t.Fatalf("Addr(%s, %s): %v", from, to, err)
	}
	c, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		return false
	}
	defer c.Close()
	got, err := roundTrip(c, []byte("x"), time.Second)
	return err == nil && string(got) == "x"
}

// assertLinks checks every directed link against want (true = working).
func assertLinks(t *testing.T, n *Net, want func(from, to string) bool) {
	t.Helper()
	for _, from := range n.Nodes() {
		for _, to := range n.Nodes() {
			if from == to {
				continue
			}
			if got, w := linkWorks(t, n, from, to), want(from, to); got != w {
				t.Errorf("link %s->%s works = %v, want %v", from, to, got, w)
			}
		}
	}
}

func TestNetAddresses(t *testing.T) {
	n := testNet(t, map[string]string{"n1": "a", "n2": "a", "n3": "b"})
	peers := n.PeerAddrs("n1")
	if len(peers) != 2 || peers["n2"] == "" || peers["n3"] == "" || peers["n1"] != "" {
		t.Fatalf("PeerAddrs(n1) = %v, want n2 and n3", peers)
	}
	dial := n.DialAddrs("n1")
	p, err := n.Link("n1", "n2")
	if err != nil {
		t.Fatalf("Link: %v", err)
	}
	if got := dial[p.Target()]; got != p.Addr() {
		t.Fatalf("DialAddrs(n1)[%s] = %q, want %q", p.Target(), got, p.Addr())
	}
	if _, err := n.Addr("n1", "n9"); !errors.Is(err, ErrUnknownNode) {
		t.Fatalf("Addr to unknown node: err = %v, want ErrUnknownNode", err)
	}
	if err := n.AddNode("n1", "a", "127.0.0.1:1"); !errors.Is(err, ErrDuplicateNode) {
		t.Fatalf("AddNode duplicate: err = %v, want ErrDuplicateNode", err)
	}
}

func TestNetIsolateAndHeal(t *testing.T) {
	n := testNet(t, map[string]string{"n1": "a", "n2": "a", "n3": "a"})
	if err := n.Isolate("n1"); err != nil {
		t.Fatalf("Isolate: %v", err)
	}
	assertLinks(t, n, func(from, to string) bool { return from != "n1" && to != "n1" })
	n.HealAll()
	assertLinks(t, n, func(string, string) bool { return true })
	if err := n.Isolate("n9"); !errors.Is(err, ErrUnknownNode) {
		t.Fatalf("Isolate unknown: err = %v, want ErrUnknownNode", err)
	}
}

func TestNetSplit(t *testing.T) {
	n := testNet(t, map[string]string{"n1": "a", "n2": "a", "n3": "b", "n4": "b", "n5": "b"})
	if err := n.Split([]string{"n1", "n2"}, []string{"n3", "n4"}); err != nil {
		t.Fatalf("Split: %v", err)
	}
	group := map[string]int{"n1": 1, "n2": 1, "n3": 2, "n4": 2, "n5": 3}
	assertLinks(t, n, func(from, to string) bool { return group[from] == group[to] })

	if err := n.Split([]string{"n1"}, []string{"n1", "n2"}); !errors.Is(err, ErrDuplicateNode) {
		t.Fatalf("Split with a node twice: err = %v, want ErrDuplicateNode", err)
	}
	if err := n.Split(n.Nodes()); err != nil {
		t.Fatalf("Split into one group: %v", err)
	}
	assertLinks(t, n, func(string, string) bool { return true })
}

func TestNetDCLatency(t *testing.T) {
	n := testNet(t, map[string]string{"n1": "a", "n2": "a", "n3": "b"})
	const d = 80 * time.Millisecond
	n.SetDCLatency("b", "a", d, 0)
	rtt := func(from, to string) time.Duration {
		addr, err := n.Addr(from, to)
		if err != nil {
			t.Fatalf("Addr: %v", err)
		}
		c := dial(t, addr)
		start := time.Now()
		mustEcho(t, c, "ping")
		return time.Since(start)
	}
	for _, pair := range [][2]string{{"n1", "n3"}, {"n3", "n2"}} {
		if got := rtt(pair[0], pair[1]); got < 2*d {
			t.Errorf("%s->%s round trip %v, want >= %v", pair[0], pair[1], got, 2*d)
		}
	}
	if got := rtt("n1", "n2"); got >= 2*d {
		t.Errorf("n1->n2 (same dc) round trip %v, want < %v", got, 2*d)
	}
}

func TestNetSetNodeAddr(t *testing.T) {
	n := testNet(t, map[string]string{"n1": "a", "n2": "a"})
	moved := startEcho(t)
	if err := n.SetNodeAddr("n2", moved.addr()); err != nil {
		t.Fatalf("SetNodeAddr: %v", err)
	}
	p, err := n.Link("n1", "n2")
	if err != nil {
		t.Fatalf("Link: %v", err)
	}
	if got := p.Target(); got != moved.addr() {
		t.Fatalf("link target = %q, want %q", got, moved.addr())
	}
	if _, ok := n.DialAddrs("n1")[moved.addr()]; !ok {
		t.Fatalf("DialAddrs(n1) lacks the new address of n2")
	}
	if !linkWorks(t, n, "n1", "n2") {
		t.Fatal("link n1->n2 broken after move")
	}
}
