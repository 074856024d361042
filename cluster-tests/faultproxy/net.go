package faultproxy

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// link names the directed pair of nodes a proxy serves: traffic that node
// from initiates towards node to.
type link struct{ from, to string }

// node is one member of a Net.
type node struct {
	dc   string
	addr string
}

// Net is a link matrix for a simulated multi-data-center cluster: one Proxy
// per directed pair of nodes. Node A reaches node B through the proxy of
// link A->B (Addr(A, B)); start A with DialAddrs(A) as its dial address
// override map. All methods are safe for concurrent use.
type Net struct {
	mu     sync.Mutex
	nodes  map[string]node
	links  map[link]*Proxy
	closed bool
}

// NewNet returns an empty link matrix.
func NewNet() *Net {
	return &Net{nodes: make(map[string]node), links: make(map[link]*Proxy)}
}

// AddNode adds node id of data center dc whose real (unproxied) address is
// addr, creating the proxies between it and every node already present.
func (n *Net) AddNode(id, dc, addr string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	if _, ok := n.nodes[id]; ok {
		return fmt.Errorf("faultproxy: add node %q: %w", id, ErrDuplicateNode)
	}
	created := make([]*Proxy, 0, 2*len(n.nodes))
	undo := func() {
		for _, p := range created {
			_ = p.Close()
		}
	}
	pending := make(map[link]*Proxy, 2*len(n.nodes))
	for other, o := range n.nodes {
		for _, l := range []struct {
			lk     link
			target string
		}{{link{id, other}, o.addr}, {link{other, id}, addr}} {
			p, err := New(l.target)
			if err != nil {
				undo()
				return fmt.Errorf("faultproxy: add node %q: link %s->%s: %w", id, l.lk.from, l.lk.to, err)
			}
			created = append(created, p)
			pending[l.lk] = p
		}
	}
	n.nodes[id] = node{dc: dc, addr: addr}
	for lk, p := range pending {
		n.links[lk] = p
	}
	return nil
}

// SetNodeAddr points every link towards node id at a new real address, for a
// node restarted on another port. Live connections keep the old address.
func (n *Net) SetNodeAddr(id, addr string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	nd, ok := n.nodes[id]
	if !ok {
		return fmt.Errorf("faultproxy: set address of %q: %w", id, ErrUnknownNode)
	}
	nd.addr = addr
	n.nodes[id] = nd
	for lk, p := range n.links {
		if lk.to == id {
			p.SetTarget(addr)
		}
	}
	return nil
}

// Link returns the proxy that carries traffic node from initiates towards
// node to, for fine-grained faults (one-way partitions, black holes, resets).
func (n *Net) Link(from, to string) (*Proxy, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	p, ok := n.links[link{from, to}]
	if !ok {
		return nil, fmt.Errorf("faultproxy: link %q->%q: %w", from, to, ErrUnknownNode)
	}
	return p, nil
}

// Addr returns the address node from must dial to reach node to.
func (n *Net) Addr(from, to string) (string, error) {
	p, err := n.Link(from, to)
	if err != nil {
		return "", err
	}
	return p.Addr(), nil
}

// PeerAddrs returns, for node from, every other node's id mapped to the proxy
// address from must dial to reach it.
func (n *Net) PeerAddrs(from string) map[string]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[string]string, len(n.nodes))
	for lk, p := range n.links {
		if lk.from == from {
			out[lk.to] = p.Addr()
		}
	}
	return out
}

// DialAddrs returns, for node from, every other node's real address mapped
// to the proxy address from must dial instead: the map a node's dial address
// override hook applies.
func (n *Net) DialAddrs(from string) map[string]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[string]string, len(n.nodes))
	for lk, p := range n.links {
		if lk.from == from {
			out[n.nodes[lk.to].addr] = p.Addr()
		}
	}
	return out
}

// Isolate partitions node id from every other node, in both directions.
func (n *Net) Isolate(id string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.nodes[id]; !ok {
		return fmt.Errorf("faultproxy: isolate %q: %w", id, ErrUnknownNode)
	}
	for lk, p := range n.links {
		if lk.from == id || lk.to == id {
			p.Partition()
		}
	}
	return nil
}

// Split partitions the cluster into groups: links between nodes of different
// groups are partitioned (both directions), links inside a group are healed.
// A node listed in no group is alone in a group of its own.
func (n *Net) Split(groups ...[]string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	groupOf := make(map[string]int, len(n.nodes))
	for g, members := range groups {
		for _, id := range members {
			if _, ok := n.nodes[id]; !ok {
				return fmt.Errorf("faultproxy: split: %q: %w", id, ErrUnknownNode)
			}
			if _, dup := groupOf[id]; dup {
				return fmt.Errorf("faultproxy: split: %q in two groups: %w", id, ErrDuplicateNode)
			}
			groupOf[id] = g
		}
	}
	alone := len(groups)
	for id := range n.nodes {
		if _, ok := groupOf[id]; !ok {
			groupOf[id] = alone
			alone++
		}
	}
	for lk, p := range n.links {
		if groupOf[lk.from] == groupOf[lk.to] {
			p.Heal()
		} else {
			p.Partition()
		}
	}
	return nil
}

// HealAll ends every partition and black hole on every link. Latency,
// bandwidth and drop settings stay.
func (n *Net) HealAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range n.links {
		p.Heal()
	}
}

// SetDCLatency sets the one-way latency (d plus or minus jitter) of every
// link between a node of data center dcA and a node of dcB, both ways.
// dcA == dcB sets the latency inside one data center.
func (n *Net) SetDCLatency(dcA, dcB string, d, jitter time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for lk, p := range n.links {
		from, to := n.nodes[lk.from].dc, n.nodes[lk.to].dc
		if (from == dcA && to == dcB) || (from == dcB && to == dcA) {
			p.SetLatency(d, jitter)
		}
	}
}

// Nodes returns the ids of all nodes, sorted.
func (n *Net) Nodes() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	ids := make([]string, 0, len(n.nodes))
	for id := range n.nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Close closes every proxy of the matrix.
func (n *Net) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	links := n.links
	n.links = make(map[link]*Proxy)
	n.mu.Unlock()
	var errs []error
	for _, p := range links {
		if err := p.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
