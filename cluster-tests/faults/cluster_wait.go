package faults

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tekstore/tekstore/client"
)

// ErrTimeout: a wait of the harness ended before its condition held.
var ErrTimeout = errors.New("faults: timed out")

// pollEvery is how often the waits poll.
const pollEvery = 50 * time.Millisecond

// localStatus is GET /v1/cluster/local.
type localStatus struct {
	ID           string `json:"id"`
	State        string `json:"state"`
	Voter        bool   `json:"voter"`
	AppliedIndex uint64 `json:"appliedIndex"`
	CommitIndex  uint64 `json:"commitIndex"`
	LastIndex    uint64 `json:"lastIndex"`
}

// status asks one node for its own replication status.
func (c *Cluster) status(ctx context.Context, id string) (localStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL(id)+"/v1/cluster/local", nil)
	if err != nil {
		return localStatus{}, fmt.Errorf("status of %s: %w", id, err)
	}
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	resp, err := c.hc.Do(req)
	if err != nil {
		return localStatus{}, fmt.Errorf("status of %s: %w", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return localStatus{}, fmt.Errorf("status of %s: HTTP %d", id, resp.StatusCode)
	}
	var st localStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return localStatus{}, fmt.Errorf("status of %s: %w", id, err)
	}
	return st, nil
}

// Leader returns the node that claims leadership now (among serving
// nodes; with two claimants, a deposed leader that has not noticed yet,
// the one with the higher commit index), or "" when none does.
func (c *Cluster) Leader(ctx context.Context) string {
	best, bestCommit := "", uint64(0)
	for _, id := range c.Serving() {
		st, err := c.status(ctx, id)
		if err == nil && st.State == "leader" && (best == "" || st.CommitIndex > bestCommit) {
			best, bestCommit = id, st.CommitIndex
		}
	}
	return best
}

// WaitForLeader polls until a serving node leads (at most 60 s).
func (c *Cluster) WaitForLeader(ctx context.Context) (string, error) {
	var id string
	err := poll(ctx, 60*time.Second, func() bool {
		id = c.Leader(ctx)
		return id != ""
	})
	if err != nil {
		return "", fmt.Errorf("wait for a leader: %w", err)
	}
	return id, nil
}

// WaitQuiet waits until every serving member has applied the same index as
// the leader's commit index, twice in a row half a second apart, and
// returns that index.
func (c *Cluster) WaitQuiet(ctx context.Context, within time.Duration) (uint64, error) {
	var last, stable uint64
	rounds := 0
	err := poll(ctx, within, func() bool {
		idx, ok := c.agreedIndex(ctx)
		if !ok {
			rounds = 0
			return false
		}
		if idx == last {
			rounds++
		} else {
			last, rounds = idx, 1
		}
		if rounds >= 10 { // 10 polls: about half a second without change
			stable = idx
			return true
		}
		return false
	})
	if err != nil {
		return 0, fmt.Errorf("wait for a quiet cluster (last agreed index %d): %w", last, err)
	}
	return stable, nil
}

// agreedIndex returns the applied index when every serving member has
// applied the same index as the leader's commit index.
func (c *Cluster) agreedIndex(ctx context.Context) (uint64, bool) {
	leader := c.Leader(ctx)
	if leader == "" {
		return 0, false
	}
	lst, err := c.status(ctx, leader)
	if err != nil || lst.AppliedIndex != lst.CommitIndex {
		return 0, false
	}
	for _, id := range c.Serving() {
		st, err := c.status(ctx, id)
		if err != nil || st.AppliedIndex != lst.AppliedIndex {
			return 0, false
		}
	}
	return lst.AppliedIndex, true
}

// isMember asks a node whether id is in the Raft configuration with the
// given suffrage.
func (c *Cluster) isMember(ctx context.Context, via, id string, voter bool) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL(via)+"/v1/cluster/nodes/"+id, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	resp, err := c.hc.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var n client.ClusterNode
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&n) != nil {
		return false
	}
	return n.ID == id && n.Voter == voter
}

// poll calls cond until it holds, ctx ends or within passes.
func poll(ctx context.Context, within time.Duration, cond func() bool) error {
	deadline := time.Now().Add(within)
	for {
		if cond() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w after %v", ErrTimeout, within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}
