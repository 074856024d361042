package server

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tekstore/tekstore/transport"
)

// gossipPeersFile lists the nodes this node last knew (id, data center,
// HTTP URL, gossip address), so that a restart with its data directory
// finds the cluster without --join and can forward writes to the leader
// before gossip has caught up.
const gossipPeersFile = "gossip-peers.json"

// reconnectInterval is how often a node retries gossip with known nodes
// that gossip lost (memberlist alone never heals a pool split by a long
// partition).
func reconnectInterval(profile string) time.Duration {
	switch profile {
	case GossipLocal:
		return time.Second
	case GossipLAN:
		return 10 * time.Second
	}
	return 30 * time.Second
}

// maintainGossip joins the addresses it is given (persisted ones first,
// then those of a join answer) until one answers, and then periodically
// reconnects to lost nodes that are still Raft members and saves the list
// of known addresses.
func (c *cluster) maintainGossip() {
	var pending []string
	for _, p := range c.loadPeers() {
		c.dir.update(p) // not alive until gossip says so
		if p.GossipAddr != "" {
			pending = append(pending, p.GossipAddr)
		}
	}
	tick := time.NewTicker(reconnectInterval(c.opts.GossipProfile))
	defer tick.Stop()
	for {
		if len(pending) > 0 {
			if err := c.gossip.join(pending); err != nil {
				c.log.Debug().Err(err).Msg("gossip join failed; will retry")
			} else {
				pending = nil
			}
		}
		c.reconnect()
		c.savePeers()
		select {
		case <-c.stop:
			return
		case addrs := <-c.joined:
			pending = addrs
		case <-tick.C:
		}
	}
}

// reconnect tries gossip with every lost node that is still a Raft member.
func (c *cluster) reconnect() {
	dead := c.dir.deadGossipAddrs()
	if len(dead) == 0 {
		return
	}
	members, err := c.node.Members()
	if err != nil {
		return
	}
	for _, m := range members {
		addr, ok := dead[m.ID]
		if !ok {
			continue
		}
		select {
		case <-c.stop:
			return
		default:
		}
		if err := c.gossip.join([]string{addr}); err != nil {
			c.log.Debug().Err(err).Str("peer", m.ID).Msg("gossip reconnect failed")
		}
	}
}

type peersFile struct {
	Peers []savedPeer `json:"peers"`
}

type savedPeer struct {
	ID         string `json:"id"`
	DC         string `json:"dc,omitempty"`
	HTTPURL    string `json:"httpURL,omitempty"`
	RaftAddr   string `json:"raftAddr,omitempty"`
	GossipAddr string `json:"gossipAddr,omitempty"`
}

func (c *cluster) peersPath() string { return filepath.Join(c.opts.DataDir, gossipPeersFile) }

func (c *cluster) loadPeers() []transport.ClusterPeer {
	b, err := os.ReadFile(c.peersPath())
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.log.Warn().Err(err).Msg("cannot read the saved gossip peers")
		}
		return nil
	}
	var f peersFile
	if err := json.Unmarshal(b, &f); err != nil {
		c.log.Warn().Err(err).Msg("ignoring a malformed gossip peers file")
		return nil
	}
	out := make([]transport.ClusterPeer, 0, len(f.Peers))
	for _, p := range f.Peers {
		if p.ID != "" && p.ID != c.opts.ID {
			out = append(out, transport.ClusterPeer{ID: p.ID, DC: p.DC, HTTPURL: p.HTTPURL, RaftAddr: p.RaftAddr, GossipAddr: p.GossipAddr})
		}
	}
	return out
}

// savePeers writes the known nodes when they changed.
func (c *cluster) savePeers() {
	var f peersFile
	for _, p := range c.dir.Peers() {
		if p.ID != c.opts.ID {
			f.Peers = append(f.Peers, savedPeer{ID: p.ID, DC: p.DC, HTTPURL: p.HTTPURL, RaftAddr: p.RaftAddr, GossipAddr: p.GossipAddr})
		}
	}
	c.peersMu.Lock()
	defer c.peersMu.Unlock()
	if len(f.Peers) == 0 || slices.Equal(f.Peers, c.savedPeers) {
		return
	}
	b, err := json.Marshal(f)
	if err != nil {
		return
	}
	tmp := c.peersPath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		c.log.Warn().Err(err).Msg("cannot save the gossip peers")
		return
	}
	if err := os.Rename(tmp, c.peersPath()); err != nil {
		c.log.Warn().Err(err).Msg("cannot save the gossip peers")
		return
	}
	c.savedPeers = f.Peers
}
