package server

import (
	"errors"
	"fmt"
	"log"
	"net"
	"strconv"
	"time"

	"github.com/hashicorp/memberlist"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/transport"
)

// Gossip profiles: memberlist's timing presets.
const (
	GossipWAN   = "wan"   // between data centers (default)
	GossipLAN   = "lan"   // one data center
	GossipLocal = "local" // one host (tests, make cluster)
)

// GossipKeySize is the length of the --gossip-key secret (AES-256).
const GossipKeySize = 32

// ErrGossipKey: the gossip key is not 32 bytes.
var ErrGossipKey = errors.New("the gossip key must be 32 bytes (base64 encoded on the command line)")

const gossipLeaveTimeout = 2 * time.Second

// gossip is this node's memberlist membership. It spreads the node's
// metadata and feeds liveness and metadata of the others into dir.
type gossip struct {
	ml   *memberlist.Memberlist
	name string
	meta []byte
	dir  *directory
	log  zerolog.Logger
}

// gossipConfig builds the memberlist configuration for a profile.
func gossipConfig(profile string) (*memberlist.Config, error) {
	switch profile {
	case "", GossipWAN:
		return memberlist.DefaultWANConfig(), nil
	case GossipLAN:
		return memberlist.DefaultLANConfig(), nil
	case GossipLocal:
		return memberlist.DefaultLocalConfig(), nil
	}
	return nil, fmt.Errorf("unknown gossip profile %q (want wan, lan or local)", profile)
}

// startGossip binds memberlist on bind (host:port, port 0 picks one) and
// returns once it listens; joining others is separate.
func startGossip(bind, profile string, key []byte, meta gossipMeta, dir *directory, logger zerolog.Logger) (*gossip, error) {
	conf, err := gossipConfig(profile)
	if err != nil {
		return nil, err
	}
	host, portStr, err := net.SplitHostPort(bind)
	if err != nil {
		return nil, fmt.Errorf("gossip address %q: %w", bind, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("gossip port %q: %w", portStr, err)
	}
	if key != nil && len(key) != GossipKeySize {
		return nil, ErrGossipKey
	}
	b, err := meta.encode()
	if err != nil {
		return nil, err
	}
	g := &gossip{name: meta.ID, meta: b, dir: dir, log: logger.With().Str("component", "gossip").Logger()}
	conf.Name = meta.ID
	conf.BindAddr, conf.BindPort = host, port
	conf.AdvertisePort = port
	conf.SecretKey = key
	conf.Delegate = g
	conf.Events = g
	conf.Logger = log.New(node.LogWriter{Log: g.log}, "", 0)
	ml, err := memberlist.Create(conf)
	if err != nil {
		return nil, fmt.Errorf("start gossip on %s: %w", bind, err)
	}
	g.ml = ml
	return g, nil
}

// Addr returns the advertised gossip address (host:port).
func (g *gossip) Addr() string {
	n := g.ml.LocalNode()
	return net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port)))
}

// join contacts the given gossip addresses; it succeeds when one answered.
func (g *gossip) join(addrs []string) error {
	var others []string
	self := g.Addr()
	for _, a := range addrs {
		if a != self {
			others = append(others, a)
		}
	}
	if len(others) == 0 {
		return nil
	}
	if _, err := g.ml.Join(others); err != nil {
		return fmt.Errorf("join gossip via %v: %w", others, err)
	}
	return nil
}

// close leaves the gossip pool (others see this node go at once) and stops.
func (g *gossip) close() error {
	lerr := g.ml.Leave(gossipLeaveTimeout)
	serr := g.ml.Shutdown()
	return errors.Join(lerr, serr)
}

// NodeMeta implements memberlist.Delegate.
func (g *gossip) NodeMeta(limit int) []byte {
	if len(g.meta) > limit {
		return nil
	}
	return g.meta
}

// NotifyMsg implements memberlist.Delegate (no user messages).
func (g *gossip) NotifyMsg([]byte) {}

// GetBroadcasts implements memberlist.Delegate (no user broadcasts).
func (g *gossip) GetBroadcasts(overhead, limit int) [][]byte { return nil }

// LocalState implements memberlist.Delegate (no push/pull state).
func (g *gossip) LocalState(join bool) []byte { return nil }

// MergeRemoteState implements memberlist.Delegate (no push/pull state).
func (g *gossip) MergeRemoteState(buf []byte, join bool) {}

// NotifyJoin implements memberlist.EventDelegate.
func (g *gossip) NotifyJoin(n *memberlist.Node) { g.record(n, "joined") }

// NotifyUpdate implements memberlist.EventDelegate.
func (g *gossip) NotifyUpdate(n *memberlist.Node) { g.record(n, "updated") }

// NotifyLeave implements memberlist.EventDelegate (left or declared dead).
func (g *gossip) NotifyLeave(n *memberlist.Node) {
	g.dir.markDead(n.Name)
	how := "failed"
	if n.State == memberlist.StateLeft {
		how = "left"
	}
	g.log.Info().Str("peer", n.Name).Str("how", how).Msg("gossip peer gone")
}

func (g *gossip) record(n *memberlist.Node, what string) {
	m, err := decodeMeta(n.Meta)
	if err != nil || m.ID != n.Name {
		g.log.Warn().Err(err).Str("peer", n.Name).Msg("ignoring gossip peer with bad metadata")
		return
	}
	g.dir.update(transport.ClusterPeer{
		ID: m.ID, DC: m.DC, HTTPURL: m.HTTPURL, RaftAddr: m.RaftAddr, Version: m.Version, FeatureLevel: m.FeatureLevel,
		NonVoter: m.NonVoter, GossipAddr: net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port))), Alive: true,
	})
	if n.Name != g.name {
		g.log.Info().Str("peer", n.Name).Str("dc", m.DC).Msg("gossip peer " + what)
	}
}
