package clustertest

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/server"
	"github.com/tekstore/tekstore/transport"
)

// AdminToken is the admin token of every test cluster.
const AdminToken = "tka_cluster-test-admin"

// Timeouts of the waits.
const (
	DefaultWait = 30 * time.Second
	pollEvery   = 10 * time.Millisecond
)

// Test Raft timings: short enough for quick elections, long enough to stay
// stable under -race on two busy cores.
var testNodeConfig = node.Config{
	HeartbeatTimeout:   800 * time.Millisecond,
	ElectionTimeout:    800 * time.Millisecond,
	LeaderLeaseTimeout: 800 * time.Millisecond,
	CommitTimeout:      5 * time.Millisecond,
}

// Node is one member of a test cluster.
type Node struct {
	ID   string
	DC   string
	opts server.Options
	srv  *server.Server
}

// Server returns the running server, nil while the node is killed.
func (n *Node) Server() *server.Server { return n.srv }

// Running reports whether the node is up.
func (n *Node) Running() bool { return n.srv != nil }

// URL returns the node's HTTP base URL (stable across restarts).
func (n *Node) URL() string { return n.opts.HTTPAdvertise }

// Node returns the Raft node; the node must be running.
func (n *Node) Node() *node.Node { return n.srv.Node() }

// Cluster is a set of in-process nodes.
type Cluster struct {
	t     testing.TB
	base  string // removed after the nodes stopped
	mu    sync.Mutex
	nodes map[string]*Node
	ids   []string
	tune  func(*server.Options)
}

// Option adjusts every node's options before it starts.
type Option func(*server.Options)

// WithNodeConfig changes the Raft node settings (snapshot threshold,
// trailing logs ...) of every node.
func WithNodeConfig(f func(*node.Config)) Option {
	return func(o *server.Options) { f(&o.Node) }
}

// NewCluster starts n voters (n1..nN in dc1..dcN): n1 bootstraps, the
// others join through n1's HTTP API like `serve --join`. It returns once all
// are members and have applied the leader's index. Nodes stop at cleanup.
func NewCluster(t testing.TB, n int, opts ...Option) *Cluster {
	t.Helper()
	c := &Cluster{t: t, base: t.TempDir(), nodes: make(map[string]*Node), tune: func(o *server.Options) {
		for _, f := range opts {
			f(o)
		}
	}}
	t.Cleanup(c.closeAll)
	t.Cleanup(func() {
		if !t.Failed() && len(c.Running()) > 0 {
			c.RequireDigestsEqual() // every test ends with equal states
		}
	})
	c.start("n1", "dc1", true, nil, false)
	c.WaitForLeader()
	for i := 2; i <= n; i++ {
		c.AddNode(fmt.Sprintf("n%d", i), fmt.Sprintf("dc%d", i), false)
	}
	c.WaitForApplied(c.Leader().Node().AppliedIndex())
	return c
}

// start creates and starts a node.
func (c *Cluster) start(id, dc string, bootstrap bool, join []string, nonVoter bool) *Node {
	c.t.Helper()
	dir, err := os.MkdirTemp(c.base, id+"-")
	if err != nil {
		c.t.Fatal(err)
	}
	o := server.Options{
		ID: id, DataDir: dir, DC: dc,
		HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0", GossipAddr: "127.0.0.1:0",
		GossipProfile: server.GossipLocal,
		Bootstrap:     bootstrap, Join: join, NonVoter: nonVoter,
		AdminToken: AdminToken,
		Node:       testNodeConfig,
		// The tests are one client sending thousands of requests.
		Limits: transport.Limits{PublishPerSec: -1, ReadsPerSec: -1, TokenPerSec: -1, FailedCodesPerHour: -1},
		Logger: testLogger(c.t, id),
	}
	c.tune(&o)
	srv, err := server.Start(o)
	if err != nil {
		c.t.Fatalf("start %s: %v", id, err)
	}
	// Pin the addresses port 0 chose, so that Restart comes back on them.
	o.HTTPAddr = hostPort(srv.URL())
	o.HTTPAdvertise = srv.URL()
	o.RaftAddr = srv.RaftAddr()
	o.GossipAddr = srv.GossipAddr()
	nd := &Node{ID: id, DC: dc, opts: o, srv: srv}
	c.mu.Lock()
	c.nodes[id] = nd
	c.ids = append(c.ids, id)
	sort.Strings(c.ids)
	c.mu.Unlock()
	return nd
}

// AddNode starts a new node that joins through the running nodes' URLs
// (like `serve --join`) and waits until it is a member and caught up.
func (c *Cluster) AddNode(id, dc string, nonVoter bool) *Node {
	c.t.Helper()
	var join []string
	for _, n := range c.Running() {
		join = append(join, n.URL())
	}
	nd := c.start(id, dc, false, join, nonVoter)
	c.WaitFor(fmt.Sprintf("%s to become a member", id), func() bool {
		l := c.leaderOrNil()
		if l == nil {
			return false
		}
		members, err := l.Node().Members()
		if err != nil {
			return false
		}
		return slices.ContainsFunc(members, func(m cluster.Member) bool { return m.ID == id && m.Voter == !nonVoter })
	})
	c.WaitForApplied(c.Leader().Node().AppliedIndex())
	return nd
}

// Get returns a node by id.
func (c *Cluster) Get(id string) *Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.nodes[id]
	if !ok {
		c.t.Fatalf("no node %s", id)
	}
	return n
}

// Nodes returns every node (running or not), sorted by id.
func (c *Cluster) Nodes() []*Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Node, 0, len(c.ids))
	for _, id := range c.ids {
		out = append(out, c.nodes[id])
	}
	return out
}

// Running returns the running nodes, sorted by id.
func (c *Cluster) Running() []*Node {
	var out []*Node
	for _, n := range c.Nodes() {
		if n.Running() {
			out = append(out, n)
		}
	}
	return out
}

// Kill stops a node (its data directory stays).
func (c *Cluster) Kill(id string) {
	c.t.Helper()
	n := c.Get(id)
	if n.srv == nil {
		c.t.Fatalf("kill %s: not running", id)
	}
	if err := n.srv.Close(); err != nil {
		c.t.Logf("close %s: %v", id, err)
	}
	c.mu.Lock()
	n.srv = nil
	c.mu.Unlock()
}

// Restart starts a killed node again on its data directory and addresses,
// without --bootstrap or --join (a restarted node needs neither).
func (c *Cluster) Restart(id string) {
	c.t.Helper()
	n := c.Get(id)
	if n.srv != nil {
		c.t.Fatalf("restart %s: still running", id)
	}
	o := n.opts
	o.Bootstrap, o.Join = false, nil
	var srv *server.Server
	c.WaitFor("restart of "+id, func() bool {
		var err error
		srv, err = server.Start(o) // the old ports may take a moment to free
		if err != nil {
			c.t.Logf("restart %s: %v (retrying)", id, err)
			return false
		}
		return true
	})
	c.mu.Lock()
	n.srv = srv
	c.mu.Unlock()
}

// Forget drops a stopped node from the cluster's list (after removal).
func (c *Cluster) Forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.nodes, id)
	c.ids = slices.DeleteFunc(c.ids, func(s string) bool { return s == id })
}

func (c *Cluster) closeAll() {
	var wg sync.WaitGroup
	for _, n := range c.Running() {
		wg.Add(1)
		go func(n *Node) {
			defer wg.Done()
			_ = n.srv.Close()
		}(n)
	}
	wg.Wait()
}

// testLogger logs warnings and errors through t.Log (set
// TEKSTORE_TEST_LOG=debug for everything).
func testLogger(t testing.TB, id string) zerolog.Logger {
	lvl := zerolog.WarnLevel
	if l, err := zerolog.ParseLevel(os.Getenv("TEKSTORE_TEST_LOG")); err == nil && os.Getenv("TEKSTORE_TEST_LOG") != "" {
		lvl = l
	}
	cw := zerolog.ConsoleWriter{Out: tLogWriter{t}, NoColor: true, TimeFormat: "15:04:05"}
	return zerolog.New(cw).Level(lvl).With().Timestamp().Str("node", id).Logger()
}

// tLogWriter sends log lines to t.Log (dropped after the test ended).
type tLogWriter struct{ t testing.TB }

func (w tLogWriter) Write(p []byte) (int, error) {
	defer func() { _ = recover() }() // a late line after the test finished
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// hostPort returns the host:port of a base URL.
func hostPort(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	return u.Host
}
