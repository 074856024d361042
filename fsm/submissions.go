package fsm

import (
	"sort"

	"github.com/tekstore/tekstore/tek"
)

// liveSub returns the record of submission ord for reading, or nil when
// there is none (never made, or pruned).
func (s *State) liveSub(ord uint32) *subRec {
	if ord < s.subFirst {
		return nil
	}
	if r := s.subAt(ord); r != nil && r.state != subGone {
		return r
	}
	return nil
}

// subAt returns the slot of ordinal ord, or nil when it lies outside the
// column or in a released chunk.
func (s *State) subAt(ord uint32) *subRec {
	if ord == 0 || int(ord) > s.subs.len() || s.subs.chunkDropped(int(ord-1)>>chunkShift) {
		return nil
	}
	return s.subs.ref(int(ord - 1))
}

// subByIDLocked returns the ordinal of the submission with this id.
func (s *State) subByIDLocked(id string) (uint32, bool) {
	r, ok := s.subByID.find(hashIDString(id), func(r uint32) bool { return s.subs.ref(int(r)).id.is(id) })
	return r + 1, ok
}

// subByRevLocked returns the ordinal of the submission whose revision token
// hashes to h.
func (s *State) subByRevLocked(h Hash) (uint32, bool) {
	r, ok := s.subByRev.find(hashHash(&h), func(r uint32) bool { return s.subs.ref(int(r)).revHash == h })
	return r + 1, ok
}

// authByCodeLocked returns the authorizations item with this code hash.
func (s *State) authByCodeLocked(h Hash) (uint32, bool) {
	return s.authByCode.find(hashHash(&h), func(r uint32) bool { return s.auths.ref(int(r)).codeHash == h })
}

// releaseSeqs returns the seqs at which embargoed keys of a submission were
// released, in order.
func (s *State) releaseSeqs(ord uint32, r *subRec) []uint64 {
	if r.releaseSeq == 0 {
		return nil
	}
	return append([]uint64{r.releaseSeq}, s.moreReleases[ord]...)
}

// subKeysLocked derives the keys submission ord holds: its entries in the
// public set (at its seq, and at the seqs its embargoed keys were released),
// its keys still under embargo, and embargoed keys revoked before release.
// Expired keys are gone from it, as from the public set.
func (s *State) subKeysLocked(ord uint32) []tek.Key {
	r := s.liveSub(ord)
	if r == nil {
		return nil
	}
	var out []tek.Key
	// The upload's seq, then its release seqs: each later than the one
	// before (noteRelease records a seq once).
	for _, seq := range append([]uint64{r.seq}, s.releaseSeqs(ord, r)...) {
		run := sort.Search(s.seqRuns.len(), func(i int) bool { return s.seqRuns.ref(i).seq >= seq })
		if run == s.seqRuns.len() || s.seqRuns.ref(run).seq != seq {
			continue
		}
		start, end := int(s.seqRuns.ref(run).start), s.runEnd(run)
		for sr := s.subRunAt(start); sr < s.subRuns.len() && int(s.subRuns.ref(sr).start) < end; sr++ {
			if s.subRuns.ref(sr).sub != ord {
				continue
			}
			from, to := max(start, int(s.subRuns.ref(sr).start)), end
			if sr+1 < s.subRuns.len() {
				to = min(to, int(s.subRuns.ref(sr+1).start))
			}
			for pos := from; pos < to; pos++ {
				if e := s.entries.ref(pos); !e.expired() {
					out = append(out, e.key())
				}
			}
		}
	}
	for _, p := range s.pendingKeys {
		if p.sub == ord {
			out = append(out, p.key)
		}
	}
	return append(out, s.dropped[ord]...)
}

// submissionLocked returns the query form of submission ord, with its keys.
func (s *State) submissionLocked(ord uint32) Submission {
	r := s.liveSub(ord)
	sub := Submission{
		ID: r.id.String(), ProviderID: s.providerList[r.provider].ID, AuthorizationID: s.auths.ref(int(r.auth)).id.String(),
		Seq: r.seq, Time: msTime(r.timeMs), State: SubmissionActive, RollbackSeq: r.rollbackSeq,
		Revoked: int(r.revoked), Inserted: int(r.inserted), RevisionTokenHash: r.revHash,
	}
	if r.state == subRolledBack {
		sub.State, sub.Reason = SubmissionRolledBack, s.reasons[ord]
	}
	sub.Keys = s.subKeysLocked(ord)
	return sub
}
