package fsm

import (
	"github.com/tekstore/tekstore/tek"
	"math"
)

// compactMin is the number of expired entries below which the public set is
// not compacted.
const compactMin = 1024

// submissionKeep is how long after its upload a submission record is kept:
// every key it carried has expired by then.
const submissionKeepDays = 2

// advanceTime runs everything that the leader time s.nowMs makes due, at
// seq index: embargoed keys are released, expired keys leave the public set,
// and old records are pruned. Called by Apply before each command.
func (s *State) advanceTime(index uint64) {
	nowInterval := uint32(s.nowMs / 1000 / tek.IntervalSeconds)
	s.releaseEmbargo(index, nowInterval)
	s.expire(nowInterval)
	if s.nowMs-s.lastPruneMs >= pruneEvery.Milliseconds() {
		s.prune()
		s.lastPruneMs = s.nowMs
		if s.expiredCount >= compactMin && s.expiredCount > len(s.entries)/4 {
			s.compact()
		}
	}
}

func (s *State) releaseEmbargo(index uint64, nowInterval uint32) {
	n := 0
	for n < len(s.pendingKeys) && s.pendingKeys[n].key.WindowEnd() <= nowInterval {
		p := s.pendingKeys[n]
		delete(s.pendingSet, p.key.Data)
		s.addEntry(entry{key: p.key, sub: p.sub, seq: index})
		if sub := s.byOrdinal[p.sub]; sub != nil {
			if k := len(sub.extraSeqs); k == 0 || sub.extraSeqs[k-1] != index {
				sub.extraSeqs = append(sub.extraSeqs, index)
			}
		}
		n++
	}
	if n > 0 {
		s.pendingKeys = append(s.pendingKeys[:0], s.pendingKeys[n:]...)
	}
}

// retentionIntervals is the retention window in whole intervals, rounded up.
func (s *State) retentionIntervals() uint32 {
	sec := int64(s.retention.Seconds())
	return uint32((sec + tek.IntervalSeconds - 1) / tek.IntervalSeconds)
}

// expiryInterval is the first interval in which a key with this window end
// has left the public set.
func (s *State) expiryInterval(windowEnd uint32) uint32 { return windowEnd + s.retentionIntervals() }

// NextEvent returns the leader time at which the next embargo release or
// expiry becomes due, so the leader can propose a Tick then. ok is false when
// nothing is scheduled.
func (s *State) NextEvent() (atUnixMs int64, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	best := int64(-1)
	if len(s.pendingKeys) > 0 {
		best = int64(s.pendingKeys[0].key.WindowEnd()) * tek.IntervalSeconds * 1000
	}
	if len(s.expiryBucket) > 0 {
		for b := range s.expiryBucket {
			t := int64(b) * tek.IntervalSeconds * 1000
			if best < 0 || t < best {
				best = t
			}
		}
	}
	return best, best >= 0
}

// expire marks the entries of every expiry bucket up to nowInterval as
// expired. Buckets below s.expiryCursor are already done. Marking is
// order-independent (one live entry per key), so after a long silence the
// due buckets are found by scanning the map instead of every interval.
func (s *State) expire(nowInterval uint32) {
	if nowInterval < s.expiryCursor {
		return
	}
	if uint64(nowInterval-s.expiryCursor) < uint64(len(s.expiryBucket)) {
		for b := s.expiryCursor; b <= nowInterval; b++ {
			s.expireBucket(b)
		}
	} else {
		for b := range s.expiryBucket {
			if b <= nowInterval {
				s.expireBucket(b)
			}
		}
	}
	s.expiryCursor = nowInterval + 1
}

func (s *State) expireBucket(b uint32) {
	for _, pos := range s.expiryBucket[b] {
		e := &s.entries[pos]
		if e.expired {
			continue
		}
		e.expired = true
		delete(s.position, e.key.Data)
		s.expiredCount++
	}
	delete(s.expiryBucket, b)
}

// compact drops expired entries and rebuilds the indexes that point into
// the entries slice. It changes no logical content.
func (s *State) compact() {
	keep := s.keepSince()
	kept := make([]entry, 0, len(s.entries)-s.expiredCount)
	for _, e := range s.entries {
		if !e.expired || e.seq > keep {
			kept = append(kept, e)
		}
	}
	s.rebuildIndexes(kept)
}

// rebuildIndexes installs entries and recomputes position and expiry buckets.
func (s *State) rebuildIndexes(entries []entry) {
	s.entries = entries
	s.expiredCount = 0
	s.position = make(map[[tek.KeyLen]byte]uint32, len(entries))
	s.expiryBucket = map[uint32][]uint32{}
	s.expiryCursor = 0
	for i, e := range entries {
		if e.expired {
			s.expiredCount++
			continue
		}
		s.position[e.key.Data] = uint32(i)
		b := s.expiryInterval(e.key.WindowEnd())
		s.expiryBucket[b] = append(s.expiryBucket[b], uint32(i))
		if s.expiryCursor == 0 || b < s.expiryCursor {
			s.expiryCursor = b
		}
	}
}

// prune drops authorizations, submissions, revocations and checkpoints that
// retention no longer needs.
func (s *State) prune() {
	nowInterval := uint32(s.nowMs / 1000 / tek.IntervalSeconds)
	for h, a := range s.auths {
		if a.SubmissionID == "" && s.nowMs > a.Expires.UnixMilli() {
			delete(s.auths, h)
		}
	}
	keepMs := s.retentionMs() + submissionKeepDays*msPerDay
	for id, sub := range s.submissions {
		if s.nowMs-sub.Time.UnixMilli() <= keepMs {
			continue
		}
		delete(s.submissions, id)
		delete(s.byOrdinal, sub.ordinal)
		delete(s.byRevision, sub.RevisionTokenHash)
		delete(s.auths, sub.authHash)
	}
	for _, p := range s.providers {
		kept := p.subs[:0]
		for _, ord := range p.subs {
			if _, ok := s.byOrdinal[ord]; ok {
				kept = append(kept, ord)
			}
		}
		p.subs = kept
	}
	keptCk := s.checkpoints[:0]
	for _, c := range s.checkpoints {
		if s.nowMs-c.SealedAt.UnixMilli() <= s.retentionMs() {
			keptCk = append(keptCk, c)
		}
	}
	s.checkpoints = keptCk
	keep := s.keepSince()
	keptRev := s.revocations[:0]
	for _, r := range s.revocations {
		if s.expiryInterval(r.windowEnd) > nowInterval || r.seq > keep {
			keptRev = append(keptRev, r)
		}
	}
	s.revocations = keptRev
}

// keepSince is the seq after which expired entries and revocation records
// must be kept because a listed checkpoint's content is derived from them.
// With no checkpoint listed nothing expired is needed: the next seal takes
// only keys that are live then.
func (s *State) keepSince() uint64 {
	if len(s.checkpoints) == 0 {
		return math.MaxUint64
	}
	return s.checkpoints[0].Since
}
