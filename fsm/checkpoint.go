package fsm

import (
	"fmt"
	"math"
	"sort"

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
		KeyCount: len(d.Keys), RevokedCount: len(d.Revoked), Padding: padding,
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

// CheckpointContent returns a copy of ck with its keys and revocations,
// derived from the public set exactly as they were when it was sealed: the
// keys that became public in (Since, Until], had not expired by the seal and
// were not revoked by Until; the revocations in (Since, Until] of keys added
// at or before Since that had not expired by the seal. Expired entries and
// revocation records stay in the state while a listed checkpoint needs them.
func (s *State) CheckpointContent(ck *Checkpoint) *Checkpoint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := *ck
	out.Keys, out.Revoked = nil, nil
	sealInterval := uint32(ck.SealedAt.UnixMilli() / 1000 / tek.IntervalSeconds)
	for run := s.runAfter(ck.Since); run < s.seqRuns.len() && s.seqRuns.ref(run).seq <= ck.Until; run++ {
		for pos, end := int(s.seqRuns.ref(run).start), s.runEnd(run); pos < end; pos++ {
			e := s.entries.ref(pos)
			if s.expiryInterval(e.windowEnd()) <= sealInterval || (e.revoked() && s.revokedAt[uint32(pos)] <= ck.Until) {
				continue
			}
			out.Keys = append(out.Keys, e.key())
		}
	}
	j := sort.Search(len(s.revocations), func(j int) bool { return s.revocations[j].seq > ck.Since })
	for ; j < len(s.revocations) && s.revocations[j].seq <= ck.Until; j++ {
		r := s.revocations[j]
		if r.addedSeq <= ck.Since && s.expiryInterval(r.windowEnd) > sealInterval {
			out.Revoked = append(out.Revoked, r.ref)
		}
	}
	return &out
}
