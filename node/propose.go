package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/hashicorp/raft"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/proto"
)

// Propose stamps the command with this leader's clock, commits it through
// Raft and returns the state machine's result. Only the leader may propose;
// errors from the Apply future are mapped like the pre-check: ErrNotLeader,
// ErrLeadershipLost (outcome unknown), ErrNoLeader, ErrShutdown.
func (n *Node) Propose(ctx context.Context, t fsmpb.CommandType, payload proto.Message) (fsm.Result, error) {
	p, err := fsm.MarshalPayload(t, payload)
	if err != nil {
		return fsm.Result{}, err
	}
	return n.ProposeEncoded(ctx, t, p)
}

// ProposeEncoded is Propose for a payload that is already encoded (a
// Publish payload forwarded by a follower, checked by the caller with
// fsm.SplitPublishPayload).
func (n *Node) ProposeEncoded(ctx context.Context, t fsmpb.CommandType, payload []byte) (fsm.Result, error) {
	if err := n.checkLeader(); err != nil {
		return fsm.Result{}, err
	}
	data, err := fsm.EncodePayload(t, payload, time.Now())
	if err != nil {
		return fsm.Result{}, err
	}
	timeout := n.cfg.ApplyTimeout
	if dl, ok := ctx.Deadline(); ok {
		if d := time.Until(dl); d < timeout {
			timeout = d
		}
	}
	f := n.raft.Apply(data, timeout)
	if err := f.Error(); err != nil {
		return fsm.Result{}, mapRaftError(err)
	}
	res, ok := f.Response().(fsm.Result)
	if !ok {
		return fsm.Result{}, fmt.Errorf("command %v at index %d produced no result", t, f.Index())
	}
	return res, nil
}

// checkLeader is the cheap check before proposing: ErrNotLeader when
// another node leads, ErrNoLeader when none does.
func (n *Node) checkLeader() error {
	if n.raft.State() == raft.Leader {
		return nil
	}
	if _, _, ok := n.Leader(); !ok {
		return cluster.ErrNoLeader
	}
	return cluster.ErrNotLeader
}

// mapRaftError turns raft's errors into the node's vocabulary.
func mapRaftError(err error) error {
	switch {
	case errors.Is(err, raft.ErrNotLeader):
		return cluster.ErrNotLeader
	case errors.Is(err, raft.ErrLeadershipLost), errors.Is(err, raft.ErrAbortedByRestore):
		return cluster.ErrLeadershipLost
	case errors.Is(err, raft.ErrEnqueueTimeout), errors.Is(err, raft.ErrLeadershipTransferInProgress):
		return cluster.ErrNoLeader
	case errors.Is(err, raft.ErrRaftShutdown):
		return cluster.ErrShutdown
	}
	return fmt.Errorf("raft apply: %w", err)
}
