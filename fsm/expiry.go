package fsm

import (
	"math"

	"github.com/tekstore/tekstore/tek"
)

// compactMin is the number of expired entries below which the public set is
// not compacted.
const compactMin = 1024

// submissionKeepDays is how long after its upload a submission record is
// kept: every key it carried has expired by then.
const submissionKeepDays = 2

// advanceTime runs everything that the leader time s.nowMs makes due, at
// seq index: embargoed keys are released, expired keys leave the public set,
// and old records are pruned. Called by Apply before each command.
func (s *State) advanceTime(index uint64) {
	nowInterval := s.nowInterval()
	s.releaseEmbargo(index, nowInterval)
	s.expire(nowInterval)
	if s.nowMs-s.lastPruneMs >= pruneEvery.Milliseconds() {
		s.prune()
		s.lastPruneMs = s.nowMs
		if s.expiredCount >= compactMin && s.expiredCount > s.entries.len()/4 {
			s.compact()
		}
	}
}

func (s *State) releaseEmbargo(index uint64, nowInterval uint32) {
	n := 0
	for n < len(s.pendingKeys) && s.pendingKeys[n].key.WindowEnd() <= nowInterval {
		p := s.pendingKeys[n]
		delete(s.pendingSet, p.key.Data)
		s.addEntry(p.key, hashKeyData(&p.key.Data), p.sub, index)
		s.noteRelease(p.sub, index)
		n++
	}
	if n > 0 {
		s.pendingKeys = append(s.pendingKeys[:0], s.pendingKeys[n:]...)
	}
}

// noteRelease records that embargoed keys of submission ord became public
// at seq.
func (s *State) noteRelease(ord uint32, seq uint64) {
	r := s.liveSub(ord)
	switch {
	case r == nil:
	case r.releaseSeq == 0:
		s.subs.mut(int(ord - 1)).releaseSeq = seq
	default:
		more := s.moreReleases[ord]
		last := r.releaseSeq
		if len(more) > 0 {
			last = more[len(more)-1]
		}
		if last != seq {
			s.moreReleases[ord] = append(more, seq)
		}
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
	if s.nextExpiry != noExpiry {
		if t := int64(s.nextExpiry) * tek.IntervalSeconds * 1000; best < 0 || t < best {
			best = t
		}
	}
	return best, best >= 0
}

// expire marks every entry whose expiry interval is at or before
// nowInterval as expired and drops it from the key index. Each chunk of
// entries keeps the earliest expiry still to run in it, so only chunks with
// something due are scanned; keys of one day share an expiry interval, so a
// chunk is scanned about once per distinct day it holds.
func (s *State) expire(nowInterval uint32) {
	if nowInterval < s.nextExpiry {
		return
	}
	next := uint32(noExpiry)
	for k, due := range s.chunkExpiry {
		if due <= nowInterval {
			s.chunkExpiry[k] = s.expireChunk(k, nowInterval)
		}
		next = min(next, s.chunkExpiry[k])
	}
	s.nextExpiry = next
}

// expireChunk expires the due entries of chunk k and returns the earliest
// expiry left in it.
func (s *State) expireChunk(k int, nowInterval uint32) uint32 {
	next := uint32(noExpiry)
	end := min(s.entries.len(), (k+1)<<chunkShift)
	for pos := k << chunkShift; pos < end; pos++ {
		e := s.entries.ref(pos)
		if e.expired() {
			continue
		}
		b := s.expiryInterval(e.windowEnd())
		if b > nowInterval {
			next = min(next, b)
			continue
		}
		data, revoked := e.data, e.revoked()
		s.entries.mut(pos).flags |= entryExpired
		s.position.remove(hashKeyData(&data), func(r uint32) bool { return r == uint32(pos) })
		s.expiredCount++
		if !revoked {
			s.liveKeys--
		}
	}
	return next
}

// compact drops expired entries no listed checkpoint needs and rebuilds the
// indexes that point into the public set. It changes no logical content.
func (s *State) compact() {
	keep := s.keepSince()
	src, runs, subs, revokedAt := s.entries, s.seqRuns, s.subRuns, s.revokedAt
	s.rebuildEntries(&src, &runs, &subs, revokedAt, func(e *entry, seq uint64) bool { return !e.expired() || seq > keep })
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
