package faults

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/tekstore/tekstore/client"
	"github.com/tekstore/tekstore/cluster-tests/faultproxy"
	"github.com/tekstore/tekstore/internal/freeport"
)

// ErrUnknownNode: no node slot has this id.
var ErrUnknownNode = errors.New("faults: unknown node")

// member is one node slot and its current process.
type member struct {
	def                            NodeDef
	httpAddr, raftAddr, gossipAddr string
	dataDir, logPath               string
	proc                           *process // nil when never started or stopped for good
	inConfig                       bool     // added to the Raft configuration (as far as the harness knows)
}

// Cluster is a set of node processes behind fault proxies.
type Cluster struct {
	cfg     Config
	exe     string
	raftNet *faultproxy.Net
	httpNet *faultproxy.Net
	hc      *http.Client

	mu      sync.Mutex
	members map[string]*member
	ids     []string
}

// NewCluster allocates addresses and proxies for every slot, sets the
// latency between data centers, and starts the initial nodes: the first
// bootstraps, the others join through it like `serve --join`. It returns
// once every initial node is a member and a leader is elected.
func NewCluster(ctx context.Context, cfg Config) (*Cluster, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("faults: create %s: %w", cfg.Dir, err)
	}
	exe := cfg.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("faults: find own executable: %w", err)
		}
	}
	c := &Cluster{cfg: cfg, exe: exe, raftNet: faultproxy.NewNet(), httpNet: faultproxy.NewNet(),
		hc: &http.Client{Timeout: 10 * time.Second}, members: make(map[string]*member)}
	// The nodes' ports come from freeport: below the ephemeral range the
	// proxies' port-0 listeners use, never handed out twice.
	for _, d := range cfg.Nodes {
		m := &member{def: d, dataDir: filepath.Join(cfg.Dir, d.ID), logPath: filepath.Join(cfg.Dir, d.ID+".log")}
		var err error
		if m.httpAddr, err = freeport.Addr(); err == nil {
			if m.raftAddr, err = freeport.Addr(); err == nil {
				m.gossipAddr, err = freeport.Addr()
			}
		}
		if err == nil {
			err = errors.Join(c.raftNet.AddNode(d.ID, d.DC, m.raftAddr), c.httpNet.AddNode(d.ID, d.DC, m.httpAddr))
		}
		if err != nil {
			c.closeNets()
			return nil, fmt.Errorf("faults: set up %s: %w", d.ID, err)
		}
		c.members[d.ID] = m
		c.ids = append(c.ids, d.ID)
	}
	if cfg.DCLatency > 0 {
		dcs := c.dcs()
		for i, a := range dcs {
			for _, b := range dcs[i+1:] {
				c.raftNet.SetDCLatency(a, b, cfg.DCLatency, cfg.DCJitter)
				c.httpNet.SetDCLatency(a, b, cfg.DCLatency, cfg.DCJitter)
			}
		}
	}
	if err := c.startInitial(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// startInitial starts the initial nodes.
func (c *Cluster) startInitial(ctx context.Context) error {
	var first string
	for _, id := range c.ids {
		m := c.members[id]
		if !m.def.Initial {
			continue
		}
		if first == "" {
			first = id
			c.mu.Lock()
			m.inConfig = true // bootstrapped as the only voter
			c.mu.Unlock()
			if err := c.spawn(m, true, nil); err != nil {
				return err
			}
			if _, err := c.WaitForLeader(ctx); err != nil {
				return err
			}
			continue
		}
		if err := c.AddMember(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// spawn starts a node's process.
func (c *Cluster) spawn(m *member, bootstrap bool, join []string) error {
	spec := nodeSpec{
		ID: m.def.ID, DC: m.def.DC, DataDir: m.dataDir,
		HTTPAddr: m.httpAddr, RaftAddr: m.raftAddr, GossipAddr: m.gossipAddr,
		Bootstrap: bootstrap, Join: join, NonVoter: m.def.NonVoter,
		AdminToken: AdminToken, Timing: c.cfg.Timing, LogLevel: c.cfg.LogLevel,
		RaftDial: c.raftNet.DialAddrs(m.def.ID), PeerDial: c.httpNet.DialAddrs(m.def.ID),
	}
	p, err := startProcess(c.exe, spec, m.logPath)
	if err != nil {
		return err
	}
	c.mu.Lock()
	m.proc = p
	c.mu.Unlock()
	return c.waitHealthy(m)
}

// waitHealthy waits until the node's API answers /healthz.
func (c *Cluster) waitHealthy(m *member) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m.proc.exited() {
			return fmt.Errorf("faults: node %s exited at start (see %s)", m.def.ID, m.logPath)
		}
		resp, err := c.hc.Get("http://" + m.httpAddr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("faults: node %s not healthy after 30s: %v", m.def.ID, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Close stops every node gracefully and closes the proxies.
func (c *Cluster) Close() error {
	var errs []error
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, id := range c.ids {
		m := c.member(id)
		c.mu.Lock()
		p := m.proc
		m.proc = nil
		c.mu.Unlock()
		if p == nil || p.exited() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.terminate(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("stop %s: %w", id, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	c.closeNets()
	return errors.Join(errs...)
}

func (c *Cluster) closeNets() {
	_ = c.raftNet.Close()
	_ = c.httpNet.Close()
}

// member returns a slot (nil when unknown).
func (c *Cluster) member(id string) *member {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.members[id]
}

// IDs returns every slot's id, sorted.
func (c *Cluster) IDs() []string { return slices.Clone(c.ids) }

// DC returns the data center of a node.
func (c *Cluster) DC(id string) string {
	if m := c.member(id); m != nil {
		return m.def.DC
	}
	return ""
}

// dcs returns the data centers, sorted.
func (c *Cluster) dcs() []string {
	var out []string
	for _, id := range c.ids {
		if dc := c.members[id].def.DC; !slices.Contains(out, dc) {
			out = append(out, dc)
		}
	}
	slices.Sort(out)
	return out
}

// URL returns a node's HTTP base URL.
func (c *Cluster) URL(id string) string {
	if m := c.member(id); m != nil {
		return "http://" + m.httpAddr
	}
	return ""
}

// Client returns an API client for a node with the given token and
// per-request timeout.
func (c *Cluster) Client(id, token string, timeout time.Duration) *client.Client {
	cl, err := client.New(c.URL(id), client.WithToken(token), client.WithHTTPClient(&http.Client{Timeout: timeout}))
	if err != nil {
		panic(fmt.Sprintf("faults: client for %s: %v", id, err)) // the URL is built here: a bug
	}
	return cl
}

// Running returns the ids of nodes whose process runs (paused ones too).
func (c *Cluster) Running() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, id := range c.ids {
		if p := c.members[id].proc; p != nil && !p.exited() {
			out = append(out, id)
		}
	}
	return out
}

// Serving returns the running, not paused nodes that are members.
func (c *Cluster) Serving() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, id := range c.ids {
		m := c.members[id]
		if p := m.proc; p != nil && !p.exited() && !p.isPaused() && m.inConfig {
			out = append(out, id)
		}
	}
	return out
}

// Members returns the ids the harness has added to the cluster.
func (c *Cluster) Members() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, id := range c.ids {
		if c.members[id].inConfig {
			out = append(out, id)
		}
	}
	return out
}

// Voters returns the members that vote.
func (c *Cluster) Voters() []string {
	var out []string
	for _, id := range c.Members() {
		if !c.member(id).def.NonVoter {
			out = append(out, id)
		}
	}
	return out
}

// nets returns both link matrices (Raft, node-to-node HTTP).
func (c *Cluster) nets() []*faultproxy.Net { return []*faultproxy.Net{c.raftNet, c.httpNet} }
