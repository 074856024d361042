package fsm

import (
	"sort"

	"github.com/tekstore/tekstore/tek"
)

// entryPos returns the entries index of the unexpired key with these bytes.
func (s *State) entryPos(d *[tek.KeyLen]byte) (uint32, bool) {
	return s.position.find(hashKeyData(d), func(r uint32) bool { return s.entries.ref(int(r)).data == *d })
}

// addEntry appends a key to the public set at seq.
func (s *State) addEntry(k tek.Key, sub uint32, seq uint64) {
	pos := s.entries.len()
	s.entries.push(packEntry(k, sub))
	if n := s.seqRuns.len(); n == 0 || s.seqRuns.ref(n-1).seq != seq {
		s.seqRuns.push(seqRun{seq: seq, start: uint32(pos)})
	}
	s.position.insert(hashKeyData(&k.Data), uint32(pos))
	s.liveKeys++
	s.noteExpiry(pos, s.expiryInterval(k.WindowEnd()))
}

// noteExpiry records that entry pos leaves the public set at interval b.
func (s *State) noteExpiry(pos int, b uint32) {
	k := pos >> chunkShift
	for len(s.chunkExpiry) <= k {
		s.chunkExpiry = append(s.chunkExpiry, noExpiry)
	}
	s.chunkExpiry[k] = min(s.chunkExpiry[k], b)
	s.nextExpiry = min(s.nextExpiry, b)
}

// runAfter returns the number of the first seq run with a seq above seq.
func (s *State) runAfter(seq uint64) int {
	return sort.Search(s.seqRuns.len(), func(i int) bool { return s.seqRuns.ref(i).seq > seq })
}

// runEnd returns the entries index after the last entry of run r.
func (s *State) runEnd(r int) int {
	if r+1 < s.seqRuns.len() {
		return int(s.seqRuns.ref(r + 1).start)
	}
	return s.entries.len()
}

// seqOf returns the seq at which entry pos was added.
func (s *State) seqOf(pos int) uint64 {
	r := sort.Search(s.seqRuns.len(), func(i int) bool { return int(s.seqRuns.ref(i).start) > pos }) - 1
	return s.seqRuns.ref(r).seq
}

// revokeEntry marks entry pos revoked at seq and records the revocation.
func (s *State) revokeEntry(pos int, seq uint64) {
	e := s.entries.mut(pos)
	e.flags |= entryRevoked
	s.revokedAt[uint32(pos)] = seq
	s.liveKeys--
	s.revocations = append(s.revocations, revocation{
		ref:       tek.RevokedKey{Data: e.data, RollingStart: e.rollingStart},
		windowEnd: e.windowEnd(), seq: seq, addedSeq: s.seqOf(pos),
	})
}

// rebuildEntries replaces the public set by the entries of src for which
// keep is true, with their seqs and revocation seqs, and rebuilds every
// index that points into it. It changes no logical content.
func (s *State) rebuildEntries(src *column[entry], runs *column[seqRun], revokedAt map[uint32]uint64, keep func(e *entry, seq uint64) bool) {
	s.resetEntries(0)
	r := 0
	for pos := 0; pos < src.len(); pos++ {
		for r+1 < runs.len() && int(runs.ref(r+1).start) <= pos {
			r++
		}
		seq := runs.ref(r).seq
		if e := src.ref(pos); keep(e, seq) {
			s.appendLoaded(*e, seq, revokedAt[uint32(pos)])
		}
	}
	s.indexEntries()
}

// appendLoaded appends an entry read from a snapshot or kept by
// compaction; indexEntries must run once all are in.
func (s *State) appendLoaded(e entry, seq, revokedSeq uint64) {
	np := s.entries.len()
	s.entries.push(e)
	if n := s.seqRuns.len(); n == 0 || s.seqRuns.ref(n-1).seq != seq {
		s.seqRuns.push(seqRun{seq: seq, start: uint32(np)})
	}
	if e.revoked() {
		s.revokedAt[uint32(np)] = revokedSeq
	}
}

// indexEntries computes the key index, the expiry schedule and the counts
// of the entries in place.
func (s *State) indexEntries() {
	s.position = newHashIndex(s.position.hashOf, s.entries.len())
	s.chunkExpiry, s.nextExpiry, s.expiredCount, s.liveKeys = nil, noExpiry, 0, 0
	for pos := 0; pos < s.entries.len(); pos++ {
		e := s.entries.ref(pos)
		if e.expired() {
			s.expiredCount++
			continue
		}
		s.position.insert(hashKeyData(&e.data), uint32(pos))
		if !e.revoked() {
			s.liveKeys++
		}
		s.noteExpiry(pos, s.expiryInterval(e.windowEnd()))
	}
}
