package node

import (
	"context"
	"fmt"

	"github.com/tekstore/tekstore/cluster"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
)

// FeatureLevelSource tells the feature level a member announces (server:
// from its gossip metadata); ok is false when the member announces none or
// is not known to be alive. A node of release v0.1.0 announces nothing.
type FeatureLevelSource func(id string) (level uint32, ok bool)

// SetFeatureLevelSource installs how the leader learns the members' levels.
// Without one, only a cluster whose sole member is this node is raised.
func (n *Node) SetFeatureLevelSource(f FeatureLevelSource) {
	n.fwdMu.Lock()
	n.levelSource = f
	n.fwdMu.Unlock()
}

// FeatureLevel is the cluster's feature level in this node's state.
func (n *Node) FeatureLevel() uint32 { return n.state.FeatureLevel() }

// WaitForFeatureLevel blocks until this node has applied a SetFeatureLevel
// of at least level, ctx ends or the node stops.
func (n *Node) WaitForFeatureLevel(ctx context.Context, level uint32) error {
	for {
		ch := n.Changed()
		if n.state.FeatureLevel() >= level {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for feature level %d (at %d): %w", level, n.state.FeatureLevel(), cluster.ErrNotCaughtUp)
		case <-n.stop:
			return cluster.ErrShutdown
		}
	}
}

// readableLevel returns the highest feature level every member of the Raft
// configuration reads: this node reads fsm.MaxFeatureLevel, the others
// what they announce. A member that announces nothing counts as Level1.
func (n *Node) readableLevel() (uint32, error) {
	members, err := n.Members()
	if err != nil {
		return 0, err
	}
	n.fwdMu.Lock()
	src := n.levelSource
	n.fwdMu.Unlock()
	level := fsm.MaxFeatureLevel
	for _, m := range members {
		if m.ID == n.ID() {
			continue
		}
		l, ok := uint32(0), false
		if src != nil {
			l, ok = src(m.ID)
		}
		if !ok || l < fsm.Level1 {
			l = fsm.Level1
		}
		level = min(level, l)
	}
	return level, nil
}

// maybeRaiseFeatureLevel (leader) proposes the highest level every member
// reads when the state is below it.
func (n *Node) maybeRaiseFeatureLevel() {
	have := n.state.FeatureLevel()
	if have >= fsm.MaxFeatureLevel {
		return
	}
	want, err := n.readableLevel()
	if err != nil || want <= have {
		return
	}
	if _, err := n.Propose(context.Background(), fsmpb.CommandType_COMMAND_TYPE_SET_FEATURE_LEVEL, &fsmpb.SetFeatureLevel{Level: want}); err != nil {
		n.log.Warn().Err(err).Uint32("level", want).Msg("raise feature level")
		return
	}
	n.log.Info().Uint32("from", have).Uint32("to", want).Msg("cluster feature level raised: every member reads it")
}

// RequireFeatureLevel refuses, before proposing, what needs a feature level
// the cluster has not reached (fsm.ErrFeatureLevel, answered 503 with
// Retry-After). Apply refuses such a command again, deterministically.
func (n *Node) RequireFeatureLevel(level uint32) error {
	if have := n.state.FeatureLevel(); have < level {
		return fmt.Errorf("%w: level %d needed, the cluster is at %d", fsm.ErrFeatureLevel, level, have)
	}
	return nil
}
