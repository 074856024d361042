package fsm

import (
	"fmt"
	"math"

	"github.com/tekstore/tekstore/tek"

	"github.com/tekstore/tekstore/fsm/fsmpb"
)

func (s *State) applySeal(index uint64, c *fsmpb.SealCheckpoint) (any, error) {
	padding, err := keysFromPB(c.Padding)
	if err != nil {
		return nil, err
	}
	if err := checkPadding(padding); err != nil {
		return nil, err
	}
	d := s.deltaLocked(s.lastSealSeq, math.MaxInt)
	if len(d.Keys) == 0 && len(d.Revoked) == 0 {
		return SealResult{}, nil
	}
	ck := &Checkpoint{
		N: s.nextCkpt, Since: s.lastSealSeq, Until: index, SealedAt: msTime(s.nowMs),
		Keys: d.Keys, Revoked: d.Revoked, Padding: padding,
	}
	s.nextCkpt++
	s.lastSealSeq = index
	s.checkpoints = append(s.checkpoints, ck)
	return SealResult{Sealed: true, N: ck.N}, nil
}

// Checkpoints returns the sealed checkpoints still within retention, oldest
// first. Checkpoints are immutable once sealed; callers must not modify them.
func (s *State) Checkpoints() []*Checkpoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*Checkpoint(nil), s.checkpoints...)
}

// Checkpoint returns checkpoint n, or ErrNotFound.
func (s *State) Checkpoint(n uint32) (*Checkpoint, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, c := range s.checkpoints {
		if c.N == n {
			return c, nil
		}
	}
	return nil, ErrNotFound
}

// Unsealed reports whether the public set changed since the last checkpoint,
// so the leader knows whether a seal is worth proposing.
func (s *State) Unsealed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.deltaLocked(s.lastSealSeq, 1)
	return len(d.Keys) > 0 || len(d.Revoked) > 0
}

// checkPadding refuses padding keys an export file cannot carry, so a bad
// seal is refused instead of sealing a checkpoint whose export fails forever.
func checkPadding(keys []tek.Key) error {
	for i, k := range keys {
		if k.RollingPeriod < 1 || k.RollingPeriod > tek.MaxRollingPeriod || k.TransmissionRisk > MaxTransmissionRisk ||
			k.ReportType > tek.ReportRecursive ||
			(k.HasOnset && (k.DaysSinceOnset < -MaxOnsetDays || k.DaysSinceOnset > MaxOnsetDays)) {
			return fmt.Errorf("%w: padding key %d out of range", ErrBadCommand, i)
		}
	}
	return nil
}

// UnsealedCount returns how many keys and revocations the next checkpoint
// would hold if it were sealed now (the leader sizes padding with it).
func (s *State) UnsealedCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.deltaLocked(s.lastSealSeq, math.MaxInt)
	return len(d.Keys) + len(d.Revoked)
}

// LatestCheckpoint returns the number of the newest checkpoint ever sealed
// (0 when none), also after old ones left the listing.
func (s *State) LatestCheckpoint() uint32 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nextCkpt - 1
}
