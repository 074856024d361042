package fsm

import (
	"sort"

	"github.com/tekstore/tekstore/tek"
)

// entryPos returns the entries index of the unexpired key with these bytes.
func (s *State) entryPos(d *[tek.KeyLen]byte) (uint32, bool) {
	return s.entryPosHashed(d, hashKeyData(d))
}

// entryPosHashed is entryPos with the key's index hash already computed.
func (s *State) entryPosHashed(d *[tek.KeyLen]byte, h uint64) (uint32, bool) {
	return s.position.find(h, func(r uint32) bool { return s.entries.ref(int(r)).data == *d })
}

// addEntry appends a key to the public set at seq; h is hashKeyData of its
// bytes.
func (s *State) addEntry(k tek.Key, h uint64, sub uint32, seq uint64) {
	pos := s.entries.len()
	s.entries.push(packEntry(k))
	s.noteRuns(pos, seq, sub)
	s.position.insert(h, uint32(pos))
	s.liveKeys++
	s.noteExpiry(pos, s.expiryInterval(k.WindowEnd()))
}

// noteRuns starts a new seq run and a new submission run at entry pos
// when its seq or submission differs from the previous entry's.
func (s *State) noteRuns(pos int, seq uint64, sub uint32) {
	if n := s.seqRuns.len(); n == 0 || s.seqRuns.ref(n-1).seq != seq {
		s.seqRuns.push(seqRun{seq: seq, start: uint32(pos)})
	}
	if n := s.subRuns.len(); n == 0 || s.subRuns.ref(n-1).sub != sub {
		s.subRuns.push(subRun{start: uint32(pos), sub: sub})
	}
}

// subRunAt returns the number of the submission run holding entry pos.
func (s *State) subRunAt(pos int) int {
	return sort.Search(s.subRuns.len(), func(i int) bool { return int(s.subRuns.ref(i).start) > pos }) - 1
}

// subOf returns the ordinal of the submission that owns entry pos.
func (s *State) subOf(pos int) uint32 { return s.subRuns.ref(s.subRunAt(pos)).sub }

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
func (s *State) rebuildEntries(src *column[entry], runs *column[seqRun], subs *column[subRun], revokedAt map[uint32]uint64, keep func(e *entry, seq uint64) bool) {
	s.resetEntries(0)
	r, sr := 0, 0
	for pos := 0; pos < src.len(); pos++ {
		for r+1 < runs.len() && int(runs.ref(r+1).start) <= pos {
			r++
		}
		for sr+1 < subs.len() && int(subs.ref(sr+1).start) <= pos {
			sr++
		}
		if e, seq := src.ref(pos), runs.ref(r).seq; keep(e, seq) {
			s.appendLoaded(placed{e: *e, seq: seq, sub: subs.ref(sr).sub, revokedSeq: revokedAt[uint32(pos)]})
		}
	}
	s.indexEntries()
}

// appendLoaded appends an entry read from a snapshot or kept by
// compaction; indexEntries must run once all are in.
func (s *State) appendLoaded(p placed) {
	np := s.entries.len()
	s.entries.push(p.e)
	s.noteRuns(np, p.seq, p.sub)
	if p.e.revoked() {
		s.revokedAt[uint32(np)] = p.revokedSeq
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
