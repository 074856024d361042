package fsm

import (
	"sort"

	"github.com/tekstore/tekstore/tek"
)

// subKeysLocked derives the keys a submission owns: its entries in the
// public set (at its seq, and at the seqs its embargoed keys were released),
// its keys still under embargo, and embargoed keys revoked before release.
// Expired keys are gone from it, as from the public set.
func (s *State) subKeysLocked(sub *Submission) []tek.Key {
	var out []tek.Key
	seen := map[uint64]bool{}
	for _, seq := range append([]uint64{sub.Seq}, sub.extraSeqs...) {
		if seen[seq] {
			continue
		}
		seen[seq] = true
		i := sort.Search(len(s.entries), func(i int) bool { return s.entries[i].seq >= seq })
		for ; i < len(s.entries) && s.entries[i].seq == seq; i++ {
			if e := s.entries[i]; e.sub == sub.ordinal && !e.expired {
				out = append(out, e.key)
			}
		}
	}
	for _, p := range s.pendingKeys {
		if p.sub == sub.ordinal {
			out = append(out, p.key)
		}
	}
	return append(out, sub.dropped...)
}

// withKeys returns a copy of sub with its derived keys.
func (s *State) withKeys(sub *Submission) Submission {
	cp := *sub
	cp.Keys = s.subKeysLocked(sub)
	return cp
}
