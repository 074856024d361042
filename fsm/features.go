package fsm

import (
	"errors"
	"fmt"

	"github.com/tekstore/tekstore/fsm/fsmpb"
)

// Feature levels. The log and the snapshots of a cluster may only hold what
// every member can read, also during a rolling upgrade, when nodes of two
// releases run side by side. The cluster's feature level is replicated
// state: it starts at Level1 and is raised by a SetFeatureLevel command,
// which the leader proposes only when every member of the Raft
// configuration announces (in its gossip metadata) that it reads the new
// level. Until then everything written stays readable by the previous
// release; after it, a node of the previous release stops at the
// SetFeatureLevel entry with a clear error instead of diverging.
const (
	// Level1 is what release v0.1.0 writes and reads: the command types
	// 1-10, snapshot format 2 and export format 1.
	Level1 uint32 = 1
	// Level2 is this release: certificate providers and revisions, feeds,
	// statistics, snapshot format 3 and export format 2.
	Level2 uint32 = 2
	// MaxFeatureLevel is the highest level this code reads.
	MaxFeatureLevel = Level2
)

// ErrFeatureLevel refuses a command that needs a higher feature level than
// the cluster has reached (a rolling upgrade is not finished).
var ErrFeatureLevel = errors.New("the cluster has not reached the feature level this needs (a rolling upgrade is not finished)")

// FeatureLevel returns the cluster's feature level as of the last applied
// command.
func (s *State) FeatureLevel() uint32 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.featureLevel
}

// requireLevel refuses, deterministically, a command applied below level l.
// It runs with s.mu held.
func (s *State) requireLevel(l uint32) error {
	if s.featureLevel < l {
		return fmt.Errorf("%w: level %d needed, the cluster is at %d", ErrFeatureLevel, l, s.featureLevel)
	}
	return nil
}

// decodeSetFeatureLevel refuses, as an entry this code cannot apply, a
// level above MaxFeatureLevel: applying the rest of such a log would
// diverge from the nodes that understand it.
func decodeSetFeatureLevel(b []byte) (any, error) {
	m := &fsmpb.SetFeatureLevel{}
	if err := unmarshalPayload(b, m); err != nil {
		return nil, err
	}
	if m.Level > MaxFeatureLevel {
		return nil, fmt.Errorf("feature level %d is newer than this release reads (%d): upgrade this node", m.Level, MaxFeatureLevel)
	}
	return m, nil
}

// applySetFeatureLevel raises the level; a level at or below the current
// one changes nothing (a new leader may propose it again).
func (s *State) applySetFeatureLevel(c *fsmpb.SetFeatureLevel) (any, error) {
	if c.Level == 0 {
		return nil, fmt.Errorf("%w: feature level 0", ErrBadCommand)
	}
	if c.Level > s.featureLevel {
		s.featureLevel = c.Level
	}
	return s.featureLevel, nil
}
