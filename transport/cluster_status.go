package transport

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tekstore/tekstore/cluster"
)

// States reported for nodes that did not answer.
const (
	stateUnreachable = "unreachable"
	lastContactNever = "never"
)

// clusterOut is GET /v1/cluster.
type clusterOut struct {
	Leader string           `json:"leader"`
	Nodes  []clusterNodeOut `json:"nodes"`
}

// clusterNodeOut is one node of the Raft configuration. lastContact is how
// long ago a follower last heard from the leader as a Go duration ("35ms";
// "0s" for the leader, "never", or "" when the node did not answer).
type clusterNodeOut struct {
	ID           string `json:"id"`
	DC           string `json:"dc"`
	HTTPAddr     string `json:"httpAddr"`
	RaftAddr     string `json:"raftAddr"`
	State        string `json:"state"`
	Voter        bool   `json:"voter"`
	Alive        bool   `json:"alive"`
	AppliedIndex uint64 `json:"appliedIndex"`
	LastContact  string `json:"lastContact"`
	GossipAddr   string `json:"gossipAddr,omitempty"`
	Version      string `json:"version,omitempty"`
}

// localOut is GET /v1/cluster/local: one node's own view.
type localOut struct {
	ID           string `json:"id"`
	State        string `json:"state"`
	Voter        bool   `json:"voter"`
	AppliedIndex uint64 `json:"appliedIndex"`
	CommitIndex  uint64 `json:"commitIndex"`
	LastIndex    uint64 `json:"lastIndex"`
	LastContact  string `json:"lastContact"`
	InSync       bool   `json:"inSync"`
}

func toLocalOut(st cluster.Status) localOut {
	lc := "0s"
	if st.State != "leader" {
		lc = lastContactNever
		if !st.LastContact.IsZero() {
			lc = time.Since(st.LastContact).Round(time.Millisecond).String()
		}
	}
	return localOut{ID: st.ID, State: st.State, Voter: st.Voter, AppliedIndex: st.AppliedIndex,
		CommitIndex: st.CommitIndex, LastIndex: st.LastIndex, LastContact: lc, InSync: st.InSync}
}

// handleLocal is GET /v1/cluster/local.
func (c *clusterAPI) handleLocal(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, toLocalOut(c.cfg.Node.Status()))
}

// handleStatus is GET /v1/cluster: the Raft configuration (authoritative
// membership) joined with gossip (liveness, data center, HTTP URL) and
// each node's own status, asked over HTTP in parallel.
func (c *clusterAPI) handleStatus(w http.ResponseWriter, r *http.Request) {
	view, err := c.view(r)
	if err != nil {
		c.s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view)
}

func (c *clusterAPI) view(r *http.Request) (clusterOut, error) {
	members, err := c.cfg.Node.Members()
	if err != nil {
		return clusterOut{}, err
	}
	leader, _, _ := c.s.store.Leader()
	peers := make(map[string]ClusterPeer)
	gossipOn := false
	for _, p := range c.cfg.Peers.Peers() {
		peers[p.ID] = p
		if p.ID == c.s.store.ID() && p.GossipAddr != "" {
			gossipOn = true
		}
	}
	out := clusterOut{Leader: leader, Nodes: make([]clusterNodeOut, len(members))}
	var wg sync.WaitGroup
	for i, m := range members {
		p := peers[m.ID]
		n := clusterNodeOut{ID: m.ID, DC: p.DC, HTTPAddr: p.HTTPURL, RaftAddr: m.RaftAddr, Voter: m.Voter,
			Alive: p.Alive, GossipAddr: p.GossipAddr, Version: p.Version, State: stateUnreachable}
		out.Nodes[i] = n
		if m.ID == c.s.store.ID() {
			out.Nodes[i].fill(toLocalOut(c.cfg.Node.Status()), true)
			continue
		}
		if p.HTTPURL == "" {
			continue
		}
		wg.Add(1)
		go func(i int, base string) {
			defer wg.Done()
			lo, err := c.askLocal(r, base)
			if err != nil {
				c.s.log.Debug().Err(err).Str("peer", out.Nodes[i].ID).Msg("cluster status: node did not answer")
				if !gossipOn {
					out.Nodes[i].Alive = false
				}
				return
			}
			out.Nodes[i].fill(lo, !gossipOn || out.Nodes[i].Alive)
		}(i, p.HTTPURL)
	}
	wg.Wait()
	sortNodes(out.Nodes)
	return out, nil
}

func (n *clusterNodeOut) fill(lo localOut, alive bool) {
	n.State, n.AppliedIndex, n.LastContact, n.Alive = lo.State, lo.AppliedIndex, lo.LastContact, alive
}

// askLocal fetches GET base/v1/cluster/local with the caller's admin token.
func (c *clusterAPI) askLocal(r *http.Request, base string) (localOut, error) {
	ctx, cancel := context.WithTimeout(r.Context(), clusterFanoutTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/v1/cluster/local", nil)
	if err != nil {
		return localOut{}, fmt.Errorf("build status request: %w", err)
	}
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	req.Header.Set(headerForwardedBy, c.s.store.ID())
	resp, err := c.cfg.Client.Do(req)
	if err != nil {
		return localOut{}, fmt.Errorf("ask %s: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return localOut{}, fmt.Errorf("ask %s: status %d", base, resp.StatusCode)
	}
	var lo localOut
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, smallBodyLimit)).Decode(&lo); err != nil {
		return localOut{}, fmt.Errorf("read status of %s: %w", base, err)
	}
	return lo, nil
}

func sortNodes(ns []clusterNodeOut) {
	sort.Slice(ns, func(i, j int) bool { return ns[i].ID < ns[j].ID })
}
