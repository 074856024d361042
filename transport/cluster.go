package transport

import (
	"context"
	"net/http"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/gorilla/mux"
)

// Limits of the cluster endpoints.
const (
	// clusterFanoutTimeout bounds the status call to each node for GET
	// /v1/cluster (a dead node must not stall the answer).
	clusterFanoutTimeout = 2 * time.Second
	// handOverWait bounds the wait for a new leader after the leader handed
	// over leadership to remove itself.
	handOverWait = 15 * time.Second
)

// ClusterPeer is what this node knows about one node from gossip (or from
// its join request).
type ClusterPeer struct {
	ID         string
	DC         string
	HTTPURL    string
	RaftAddr   string
	GossipAddr string
	Version    string
	// FeatureLevel is the highest cluster feature level the node reads
	// (fsm.MaxFeatureLevel of its release; 0 when it announces none).
	FeatureLevel uint32
	NonVoter     bool
	Alive        bool
}

// ClusterPeers is the membership directory behind the cluster endpoints.
type ClusterPeers interface {
	PeerDirectory
	// Peers returns every known node, this one included.
	Peers() []ClusterPeer
	// GossipAddrs returns the gossip addresses of live nodes (a joining
	// node contacts them).
	GossipAddrs() []string
	// Learn records a node's HTTP URL from its join request.
	Learn(id, httpURL string)
}

// ClusterNode is the Raft side of membership (node.Node implements it).
type ClusterNode interface {
	Members() ([]cluster.Member, error)
	AddMember(ctx context.Context, m cluster.Member) (changed bool, err error)
	RemoveMember(ctx context.Context, id string) (removed bool, err error)
	Status() cluster.Status
}

// ClusterConfig configures the cluster endpoints.
type ClusterConfig struct {
	Node  ClusterNode
	Peers ClusterPeers
	// Client calls other nodes for their status; nil uses a plain client.
	Client *http.Client
	// OnRemoved, when set, runs on the leader after a node was removed.
	OnRemoved func(id string)
}

type clusterAPI struct {
	cfg ClusterConfig
	s   *Server
}

// ClusterRoutes returns the registration of the operator endpoints of spec
// §6 for Config.Extra:
//
//	GET    /v1/cluster              membership, leader, liveness, applied index
//	GET    /v1/cluster/local        this node's own replication status
//	GET    /v1/cluster/nodes/{id}   one node (404 when not a member)
//	POST   /v1/cluster/nodes        add a node (forwarded to the leader)
//	DELETE /v1/cluster/nodes/{id}   remove a node (forwarded to the leader)
//
// All need the admin token.
func ClusterRoutes(cfg ClusterConfig) func(r *mux.Router, s *Server) {
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	return func(r *mux.Router, s *Server) {
		c := &clusterAPI{cfg: cfg, s: s}
		r.HandleFunc("/v1/cluster", s.read(s.admin(c.handleStatus))).Methods(http.MethodGet).Name("cluster")
		r.HandleFunc("/v1/cluster/local", s.admin(c.handleLocal)).Methods(http.MethodGet).Name("cluster_local")
		r.HandleFunc("/v1/cluster/nodes", s.admin(c.handleAdd)).Methods(http.MethodPost).Name("cluster_add")
		r.HandleFunc("/v1/cluster/nodes/{id}", s.read(s.admin(c.handleGet))).Methods(http.MethodGet).Name("cluster_node")
		r.HandleFunc("/v1/cluster/nodes/{id}", s.admin(c.handleRemove)).Methods(http.MethodDelete).Name("cluster_remove")
	}
}
