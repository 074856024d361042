package fsm

import (
	"sort"

	"github.com/tekstore/tekstore/tek"
)

// Delta read limits of spec §4.
const (
	DefaultDeltaLimit = 10000
	MaxDeltaLimit     = 100000
)

// Delta is the change of the public set between seq Since and seq Until.
type Delta struct {
	Since   uint64
	Until   uint64
	Reset   bool // Keys is the whole public set; the client replaces what it had
	More    bool // cut at the limit; ask again with since=Until
	Keys    []tek.Key
	Revoked []tek.RevokedKey
}

// Delta returns the keys added and revoked after seq since, at most limit
// items (never splitting one seq). since 0, or a since beyond this node's
// index (a client of another cluster history), gives a reset: the whole
// current public set. A key added and revoked inside the range appears in
// neither list; a revocation is listed only for keys added at or before since.
func (s *State) Delta(since uint64, limit int) Delta {
	if limit <= 0 || limit > MaxDeltaLimit {
		limit = DefaultDeltaLimit
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.deltaLocked(since, limit)
}

func (s *State) deltaLocked(since uint64, limit int) Delta {
	d := Delta{Since: since, Until: s.index}
	nowInterval := s.nowInterval()
	if since == 0 || since > s.index {
		d.Reset, since = true, 0
	}
	run := s.runAfter(since)
	ri := len(s.revocations)
	if !d.Reset {
		ri = sort.Search(len(s.revocations), func(i int) bool { return s.revocations[i].seq > since })
	}
	n := 0
	for run < s.seqRuns.len() || ri < len(s.revocations) {
		// next seq to emit, whole
		seq := ^uint64(0)
		if run < s.seqRuns.len() {
			seq = s.seqRuns.ref(run).seq
		}
		if ri < len(s.revocations) && s.revocations[ri].seq < seq {
			seq = s.revocations[ri].seq
		}
		if n >= limit {
			d.More, d.Until = true, prevSeq(seq)
			break
		}
		if run < s.seqRuns.len() && s.seqRuns.ref(run).seq == seq {
			for pos, end := int(s.seqRuns.ref(run).start), s.runEnd(run); pos < end; pos++ {
				if e := s.entries.ref(pos); !e.revoked() && !e.expired() {
					d.Keys = append(d.Keys, e.key())
					n++
				}
			}
			run++
		}
		for ; ri < len(s.revocations) && s.revocations[ri].seq == seq; ri++ {
			if r := s.revocations[ri]; r.addedSeq <= since && s.expiryInterval(r.windowEnd) > nowInterval {
				d.Revoked = append(d.Revoked, r.ref)
				n++
			}
		}
	}
	return d
}

func prevSeq(seq uint64) uint64 { return seq - 1 }

// LastChangeSeq returns the seq of the latest addition to or revocation
// from the public set (0 if none). A delta after a seq at or above it,
// and at or below Index, is empty; one after an older seq may be empty too
// (a key added and revoked since). Long polls use it to skip waking
// waiters at commands that leave the public set alone (issued codes,
// provider changes, ticks). It costs O(1).
func (s *State) LastChangeSeq() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var last uint64
	if n := s.seqRuns.len(); n > 0 {
		last = s.seqRuns.ref(n - 1).seq
	}
	if n := len(s.revocations); n > 0 && s.revocations[n-1].seq > last {
		last = s.revocations[n-1].seq
	}
	return last
}

// PublicCount returns the number of keys in the public set and under embargo.
func (s *State) PublicCount() (public, embargoed int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.liveKeys, len(s.pendingKeys)
}
