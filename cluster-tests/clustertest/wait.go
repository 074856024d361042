package clustertest

import (
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// WaitFor polls cond until it holds or DefaultWait passes (then the test
// fails naming what).
func (c *Cluster) WaitFor(what string, cond func() bool) {
	c.t.Helper()
	if err := poll(DefaultWait, cond); err != nil {
		c.t.Fatalf("waiting for %s: %v", what, err)
	}
}

func poll(d time.Duration, cond func() bool) error {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not done after %v", d)
		}
		time.Sleep(pollEvery)
	}
	return nil
}

// leaderOrNil returns the running node that is leader and that every
// running voter agrees on, or nil.
func (c *Cluster) leaderOrNil() *Node {
	var leader *Node
	for _, n := range c.Running() {
		if n.Node().Raft().State() == raft.Leader {
			if leader != nil {
				return nil // two nodes think they lead (an old term): not settled
			}
			leader = n
		}
	}
	return leader
}

// Leader returns the current leader, waiting for one.
func (c *Cluster) Leader() *Node {
	c.t.Helper()
	return c.WaitForLeader()
}

// WaitForLeader waits until exactly one running node leads and every
// running node knows it.
func (c *Cluster) WaitForLeader() *Node {
	c.t.Helper()
	var leader *Node
	c.WaitFor("a leader", func() bool {
		leader = c.leaderOrNil()
		if leader == nil {
			return false
		}
		for _, n := range c.Running() {
			if id, _, ok := n.Node().Leader(); !ok || id != leader.ID {
				return false
			}
		}
		return true
	})
	return leader
}

// WaitForNewLeader waits for a leader other than old.
func (c *Cluster) WaitForNewLeader(old string) *Node {
	c.t.Helper()
	var leader *Node
	c.WaitFor("a leader other than "+old, func() bool {
		leader = c.leaderOrNil()
		return leader != nil && leader.ID != old
	})
	return c.WaitForLeader()
}

// Followers returns the running nodes that are not the leader.
func (c *Cluster) Followers() []*Node {
	c.t.Helper()
	l := c.Leader()
	var out []*Node
	for _, n := range c.Running() {
		if n.ID != l.ID {
			out = append(out, n)
		}
	}
	return out
}

// WaitForApplied waits until every running node has applied index.
func (c *Cluster) WaitForApplied(index uint64) {
	c.t.Helper()
	c.WaitFor(fmt.Sprintf("all nodes at index %d", index), func() bool {
		for _, n := range c.Running() {
			if n.Node().AppliedIndex() < index {
				return false
			}
		}
		return true
	})
}

// Digests waits until all running nodes have applied the same index and
// returns their state digests by node id at that index.
func (c *Cluster) Digests() map[string]string {
	c.t.Helper()
	var out map[string]string
	c.WaitFor("all nodes at one index", func() bool {
		idx := c.Leader().Node().AppliedIndex()
		out = make(map[string]string)
		for _, n := range c.Running() {
			if n.Node().AppliedIndex() != idx {
				return false
			}
			out[n.ID] = n.Node().State().Digest()
			if n.Node().AppliedIndex() != idx {
				return false
			}
		}
		return true
	})
	return out
}

// RequireDigestsEqual fails the test unless every running node holds the
// same state (the check every cluster test ends with).
func (c *Cluster) RequireDigestsEqual() {
	c.t.Helper()
	var last map[string]string
	err := poll(DefaultWait, func() bool {
		last = c.Digests()
		var first string
		for _, d := range last {
			if first == "" {
				first = d
			}
			if d != first {
				return false
			}
		}
		return true
	})
	if err != nil {
		c.t.Fatalf("state digests differ: %v", last)
	}
}
