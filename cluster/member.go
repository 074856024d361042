package cluster

import (
	"context"
	"time"

	"github.com/tekstore/tekstore/fsm"
)

// Member is one server of the Raft configuration.
type Member struct {
	ID       string
	RaftAddr string
	Voter    bool
}

// Status is a node's own view of its replication state.
type Status struct {
	ID    string
	State string // leader, follower, candidate or shutdown
	Voter bool
	// AppliedIndex is the last command applied to the state machine (the
	// X-Tekstore-Index of answers).
	AppliedIndex uint64
	// CommitIndex is the highest commit index this node has seen (its own
	// as leader, the leader's from replication as follower).
	CommitIndex uint64
	LastIndex   uint64
	// InSync: this node refuses writes naming unknown things from its own
	// state (see node.Node.InSync); otherwise it relays them to the leader.
	InSync bool
	// LastContact is when a follower last heard from the leader (zero on
	// the leader and when never).
	LastContact time.Time
}

// PublishForwarder sends a batch of uploads (an encoded fsmpb.Publish
// payload) to the leader, over the nodes' own connection, and returns one
// result per item, in order. Item errors travel in the results; the error
// return is for the batch as a whole.
type PublishForwarder func(ctx context.Context, leaderID string, payload []byte) ([]fsm.PublishItemResult, error)
