package server

import (
	"slices"
	"sort"
	"sync"

	"github.com/tekstore/tekstore/transport"
)

// directory is what this process knows about the other nodes: gossip
// metadata and liveness, plus HTTP URLs learned from join requests. It maps
// node ids to HTTP URLs for forwarding writes to the leader and feeds the
// cluster status endpoint. Entries of nodes that died stay (not alive), so
// a dead node's URL and data center still show.
type directory struct {
	mu    sync.RWMutex
	self  transport.ClusterPeer
	peers map[string]transport.ClusterPeer
}

var _ transport.PeerDirectory = (*directory)(nil)
var _ transport.ClusterPeers = (*directory)(nil)

func newDirectory(self transport.ClusterPeer) *directory {
	self.Alive = true
	return &directory{self: self, peers: make(map[string]transport.ClusterPeer)}
}

// setSelfGossipAddr records this node's gossip address once gossip listens.
func (d *directory) setSelfGossipAddr(addr string) {
	d.mu.Lock()
	d.self.GossipAddr = addr
	d.mu.Unlock()
}

// featureLevel is the feature level a live peer announces in gossip
// (node.FeatureLevelSource). Peers loaded from disk, or declared dead,
// do not count: what a node announced before it went away may not be
// what runs there now.
func (d *directory) featureLevel(id string) (uint32, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if id == d.self.ID {
		return d.self.FeatureLevel, true
	}
	p, ok := d.peers[id]
	if !ok || !p.Alive || p.FeatureLevel == 0 {
		return 0, false
	}
	return p.FeatureLevel, true
}

// HTTPURL returns a node's advertised HTTP base URL.
func (d *directory) HTTPURL(id string) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if id == d.self.ID {
		return d.self.HTTPURL, true
	}
	p, ok := d.peers[id]
	if !ok || p.HTTPURL == "" {
		return "", false
	}
	return p.HTTPURL, true
}

// Peers returns every known node, this one included, sorted by id.
func (d *directory) Peers() []transport.ClusterPeer {
	d.mu.RLock()
	out := make([]transport.ClusterPeer, 0, len(d.peers)+1)
	out = append(out, d.self)
	for _, p := range d.peers {
		out = append(out, p)
	}
	d.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// GossipAddrs returns the gossip addresses of the live nodes, this one
// included (a joining node contacts them).
func (d *directory) GossipAddrs() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []string
	if d.self.GossipAddr != "" {
		out = append(out, d.self.GossipAddr)
	}
	for _, p := range d.peers {
		if p.Alive && p.GossipAddr != "" {
			out = append(out, p.GossipAddr)
		}
	}
	slices.Sort(out)
	return out
}

// Learn records a node's HTTP URL from a join request, for nodes gossip has
// not reported yet.
func (d *directory) Learn(id, httpURL string) {
	if httpURL == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id == d.self.ID {
		return
	}
	p, ok := d.peers[id]
	if ok && p.HTTPURL != "" {
		return
	}
	p.ID, p.HTTPURL = id, httpURL
	d.peers[id] = p
}

// update stores what gossip says about a node.
func (d *directory) update(p transport.ClusterPeer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p.ID == d.self.ID {
		return
	}
	d.peers[p.ID] = p
}

// markDead records that gossip lost a node, keeping its metadata.
func (d *directory) markDead(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.peers[id]; ok {
		p.Alive = false
		d.peers[id] = p
	}
}

// deadGossipAddrs returns the gossip addresses of known nodes gossip does
// not see alive, for reconnection attempts.
func (d *directory) deadGossipAddrs() map[string]string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make(map[string]string)
	for id, p := range d.peers {
		if !p.Alive && p.GossipAddr != "" {
			out[id] = p.GossipAddr
		}
	}
	return out
}

// forget drops a node removed from the cluster.
func (d *directory) forget(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.peers, id)
}
