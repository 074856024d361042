package server

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/transport"
)

// ErrJoinAndBootstrap: a node either starts a new cluster or joins one.
var ErrJoinAndBootstrap = errors.New("--bootstrap and --join exclude each other")

// clusterCloseWait bounds how long Close waits for a join attempt in flight.
const clusterCloseWait = 3 * time.Second

// cluster is the membership part of one process: gossip, the peer
// directory, the join loop and the cluster endpoints.
type cluster struct {
	opts   Options
	log    zerolog.Logger
	node   *node.Node
	dir    *directory
	gossip *gossip // nil when no gossip address is configured
	client *http.Client
	// joined receives the gossip addresses a join answer named.
	joined  chan []string
	httpURL string
	stop    chan struct{}
	wg      sync.WaitGroup

	peersMu    sync.Mutex
	savedPeers []savedPeer
}

// startCluster sets up the directory and binds gossip (when configured);
// run starts joining once the HTTP API serves.
func startCluster(opts Options, n *node.Node, httpURL string, client *http.Client) (*cluster, error) {
	if opts.Bootstrap && len(opts.Join) > 0 {
		return nil, ErrJoinAndBootstrap
	}
	c := &cluster{
		opts: opts, node: n, client: client, httpURL: httpURL,
		log:    opts.Logger.With().Str("component", "cluster").Logger(),
		joined: make(chan []string, 1),
		stop:   make(chan struct{}),
	}
	self := transport.ClusterPeer{ID: opts.ID, DC: n.Config().DC, HTTPURL: httpURL, RaftAddr: n.RaftAddr(),
		Version: buildVersion(), FeatureLevel: fsm.MaxFeatureLevel, NonVoter: opts.NonVoter}
	c.dir = newDirectory(self)
	n.SetFeatureLevelSource(c.dir.featureLevel)
	if opts.GossipAddr != "" {
		meta := gossipMeta{ID: self.ID, DC: self.DC, HTTPURL: self.HTTPURL, RaftAddr: self.RaftAddr, Version: self.Version, NonVoter: self.NonVoter, FeatureLevel: self.FeatureLevel}
		g, err := startGossip(opts.GossipAddr, opts.GossipProfile, opts.GossipKey, meta, c.dir, opts.Logger)
		if err != nil {
			return nil, err
		}
		c.gossip = g
		c.dir.setSelfGossipAddr(g.Addr())
	}
	return c, nil
}

// routes registers the cluster endpoints on the API.
func (c *cluster) routes() func(*mux.Router, *transport.Server) {
	return transport.ClusterRoutes(transport.ClusterConfig{
		Node: c.node, Peers: c.dir, Client: c.client,
		OnRemoved: c.dir.forget,
	})
}

// run starts the background work: asking to be added (with --join) and
// keeping gossip connected.
func (c *cluster) run() {
	if len(c.opts.Join) > 0 {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.joinLoop()
		}()
	}
	if c.gossip != nil {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.maintainGossip()
		}()
	}
}

// close stops the loops and leaves gossip.
func (c *cluster) close() error {
	close(c.stop)
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(clusterCloseWait):
		c.log.Warn().Msg("membership work still running at shutdown")
	}
	if c.gossip == nil {
		return nil
	}
	c.savePeers()
	if err := c.gossip.close(); err != nil {
		return fmt.Errorf("leave gossip: %w", err)
	}
	return nil
}

// GossipAddr returns the advertised gossip address ("" without gossip).
func (s *Server) GossipAddr() string {
	if s.cluster == nil || s.cluster.gossip == nil {
		return ""
	}
	return s.cluster.gossip.Addr()
}

// RaftAddr returns the advertised Raft address.
func (s *Server) RaftAddr() string { return s.node.RaftAddr() }
