package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/gorilla/mux"
)

// nodeIDPattern is the shape of a node id.
var nodeIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

type joinRequest struct {
	ID       *string `json:"id"`
	RaftAddr *string `json:"raftAddr"`
	HTTPAddr *string `json:"httpAddr"`
	Voter    *bool   `json:"voter"`
}

// joinResponse answers POST /v1/cluster/nodes; gossipPeers lets the new
// node join gossip.
type joinResponse struct {
	ID          string   `json:"id"`
	RaftAddr    string   `json:"raftAddr"`
	HTTPAddr    string   `json:"httpAddr,omitempty"`
	Voter       bool     `json:"voter"`
	Changed     bool     `json:"changed"`
	Leader      string   `json:"leader"`
	GossipPeers []string `json:"gossipPeers"`
}

type removeResponse struct {
	ID      string `json:"id"`
	Removed bool   `json:"removed"`
}

func (r joinRequest) validate() (cluster.Member, string, error) {
	if r.ID == nil || !nodeIDPattern.MatchString(*r.ID) {
		return cluster.Member{}, "", badRequest("id is required: 1 to 64 letters, digits, '-' or '_'")
	}
	if r.RaftAddr == nil || !validHostPort(*r.RaftAddr) {
		return cluster.Member{}, "", badRequest("raftAddr is required as HOST:PORT")
	}
	httpURL := ""
	if r.HTTPAddr != nil && *r.HTTPAddr != "" {
		u, err := url.Parse(*r.HTTPAddr)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return cluster.Member{}, "", badRequest("httpAddr must be a base URL such as http://10.0.0.2:8080")
		}
		httpURL = u.Scheme + "://" + u.Host
	}
	voter := r.Voter == nil || *r.Voter
	return cluster.Member{ID: *r.ID, RaftAddr: *r.RaftAddr, Voter: voter}, httpURL, nil
}

func validHostPort(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return false
	}
	p, err := strconv.Atoi(port)
	return err == nil && p > 0 && p < 65536
}

// handleAdd is POST /v1/cluster/nodes: the leader adds the node to the Raft
// configuration (201), or answers 200 when it is already a member as asked.
func (c *clusterAPI) handleAdd(w http.ResponseWriter, r *http.Request) {
	s := c.s
	body, err := readBody(w, r, smallBodyLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req joinRequest
	if err := decodeStrict(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, httpURL, err := req.validate()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.leaderOrForward(w, r, body) {
		return
	}
	changed, err := c.cfg.Node.AddMember(r.Context(), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c.cfg.Peers.Learn(m.ID, httpURL)
	status := http.StatusOK
	if changed {
		status = http.StatusCreated
	}
	writeJSON(w, status, joinResponse{
		ID: m.ID, RaftAddr: m.RaftAddr, HTTPAddr: httpURL, Voter: m.Voter, Changed: changed,
		Leader: s.store.ID(), GossipPeers: nonNil(c.cfg.Peers.GossipAddrs()),
	})
}

// handleRemove is DELETE /v1/cluster/nodes/{id}. It works while the node is
// down; the leader removing itself hands leadership over first and passes
// the request to the new leader. Removing a non-member answers 200 with
// removed=false.
func (c *clusterAPI) handleRemove(w http.ResponseWriter, r *http.Request) {
	s := c.s
	id := mux.Vars(r)["id"]
	if !nodeIDPattern.MatchString(id) {
		s.writeError(w, r, badRequest("malformed node id"))
		return
	}
	if !s.leaderOrForward(w, r, nil) {
		return
	}
	removed, err := c.cfg.Node.RemoveMember(r.Context(), id)
	if errors.Is(err, cluster.ErrHandedOver) {
		c.passToNewLeader(w, r)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if removed && c.cfg.OnRemoved != nil {
		c.cfg.OnRemoved(id)
	}
	writeJSON(w, http.StatusOK, removeResponse{ID: id, Removed: removed})
}

// passToNewLeader waits until another node leads, then forwards the request
// to it (even when this request was itself forwarded: the hop is bounded
// because this node is no longer the leader).
func (c *clusterAPI) passToNewLeader(w http.ResponseWriter, r *http.Request) {
	s := c.s
	ctx, cancel := context.WithTimeout(r.Context(), handOverWait)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if id, _, ok := s.store.Leader(); ok && id != s.store.ID() {
			break
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			s.writeError(w, r, cluster.ErrNoLeader)
			return
		}
	}
	r2 := r.Clone(r.Context())
	r2.Header.Del(headerForwardedBy)
	if s.leaderOrForward(w, r2, nil) {
		// Leadership came back here in the meantime: let the client retry.
		s.writeError(w, r, cluster.ErrNoLeader)
	}
}

// handleGet is GET /v1/cluster/nodes/{id}.
func (c *clusterAPI) handleGet(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if !nodeIDPattern.MatchString(id) {
		c.s.writeError(w, r, badRequest("malformed node id"))
		return
	}
	view, err := c.view(r)
	if err != nil {
		c.s.writeError(w, r, err)
		return
	}
	for _, n := range view.Nodes {
		if n.ID == id {
			writeJSON(w, http.StatusOK, n)
			return
		}
	}
	c.s.writeError(w, r, notFound("node %s is not a member of the cluster", id))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
