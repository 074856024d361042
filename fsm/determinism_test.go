package fsm

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// TestDeterminism applies random logs to two fresh states and to a third
// that is replaced by a snapshot of the first half-way: all digests must
// agree after every entry, and so must every result.
func TestDeterminism(t *testing.T) {
	seeds, steps := 3, 600
	if testing.Short() {
		seeds, steps = 1, 300
	}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			g := newGen(seed, true)
			a, b, c := New(Config{}), New(Config{}), New(Config{})
			var idx uint64
			accepted, refused, fatal, inserted := 0, 0, 0, 0
			for step := 0; step < steps; step++ {
				if step == steps/2 {
					var buf bytes.Buffer
					if _, err := a.Freeze().WriteTo(&buf); err != nil {
						t.Fatal(err)
					}
					c = New(Config{})
					if err := c.Restore(&buf); err != nil {
						t.Fatalf("step %d: Restore: %v", step, err)
					}
				}
				data, wantFatal := g.next()
				if !wantFatal {
					idx++
				}
				ra, ea := a.Apply(idx, data)
				rb, eb := b.Apply(idx, data)
				if wantFatal {
					var fe *FatalError
					if !errors.As(ea, &fe) || fe.Index != idx || eb == nil {
						t.Fatalf("step %d: fatal entry gave %v / %v", step, ea, eb)
					}
					fatal++
				} else if ea != nil || eb != nil {
					t.Fatalf("step %d: Apply: %v / %v", step, ea, eb)
				}
				if fmt.Sprint(ra) != fmt.Sprint(rb) {
					t.Fatalf("step %d: results differ: %v / %v", step, ra, rb)
				}
				if items, ok := ra.Value.([]PublishItemResult); ok {
					for _, it := range items {
						if it.Err == nil && !it.Replayed {
							inserted += it.Inserted
						}
					}
				}
				if ra.Err != nil {
					refused++
				} else if !wantFatal {
					accepted++
				}
				if step >= steps/2 {
					rc, ec := c.Apply(idx, data)
					if (ec == nil) != (ea == nil) || fmt.Sprint(rc) != fmt.Sprint(ra) {
						t.Fatalf("step %d: restored state: %v, %v; want %v, %v", step, rc, ec, ra, ea)
					}
				}
				da := a.Digest()
				if db := b.Digest(); da != db {
					t.Fatalf("step %d: digests differ", step)
				}
				if step >= steps/2 {
					if dc := c.Digest(); dc != da {
						t.Fatalf("step %d: restored state digest differs", step)
					}
				}
				if step%100 == 0 {
					checkInvariants(t, a)
				}
			}
			pub, _ := a.PublicCount()
			t.Logf("seed %d: %d accepted, %d refused, %d fatal, %d keys inserted, %d public keys, %d checkpoints",
				seed, accepted, refused, fatal, inserted, pub, len(a.Checkpoints()))
			if accepted < steps/3 || refused == 0 || fatal == 0 || inserted < steps/4 {
				t.Fatalf("generator too one-sided: %d accepted, %d refused, %d fatal, %d inserted", accepted, refused, fatal, inserted)
			}
			if fmt.Sprint(a.Delta(0, MaxDeltaLimit)) != fmt.Sprint(c.Delta(0, MaxDeltaLimit)) {
				t.Fatalf("restored state serves another delta")
			}
		})
	}
}

// checkInvariants verifies internal consistency of the indexes, and that
// every listed checkpoint's derived content still has the counts it was
// sealed with.
func checkInvariants(t *testing.T, s *State) {
	t.Helper()
	for _, ck := range s.Checkpoints() {
		c := s.CheckpointContent(ck)
		if len(c.Keys) != ck.KeyCount || len(c.Revoked) != ck.RevokedCount {
			t.Fatalf("checkpoint %d content has %d keys, %d revoked; sealed with %d, %d",
				ck.N, len(c.Keys), len(c.Revoked), ck.KeyCount, ck.RevokedCount)
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	expired, live := 0, 0
	for i := 0; i < s.entries.len(); i++ {
		e := s.entries.ref(i)
		if i > 0 && s.seqOf(i-1) > s.seqOf(i) {
			t.Fatalf("entries out of seq order at %d", i)
		}
		if e.revoked() != (s.revokedAt[uint32(i)] != 0) {
			t.Fatalf("entry %d: revoked flag and revokedAt disagree", i)
		}
		if e.expired() {
			expired++
			continue
		}
		if !e.revoked() {
			live++
		}
		if p, ok := s.entryPos(&e.data); !ok || int(p) != i {
			t.Fatalf("entry %d not indexed by position", i)
		}
		if b := s.expiryInterval(e.windowEnd()); s.chunkExpiry[i>>chunkShift] > b || s.nextExpiry > b {
			t.Fatalf("entry %d expires at %d before its chunk's schedule %d", i, b, s.chunkExpiry[i>>chunkShift])
		}
	}
	for i := 0; i < s.subRuns.len(); i++ {
		r := s.subRuns.ref(i)
		if (i == 0 && r.start != 0) || (i > 0 && (r.start <= s.subRuns.ref(i-1).start || r.sub == s.subRuns.ref(i-1).sub)) {
			t.Fatalf("submission run %d (start %d, sub %d) out of order or not merged", i, r.start, r.sub)
		}
		if r.sub == 0 || r.sub >= s.nextOrdinal {
			t.Fatalf("submission run %d names ordinal %d", i, r.sub)
		}
	}
	if s.entries.len() > 0 && int(s.subRuns.ref(s.subRuns.len()-1).start) >= s.entries.len() {
		t.Fatalf("submission run past the last entry")
	}
	if expired != s.expiredCount || live != s.liveKeys {
		t.Fatalf("expiredCount %d, liveKeys %d; counted %d, %d", s.expiredCount, s.liveKeys, expired, live)
	}
	if s.position.len() != s.entries.len()-expired {
		t.Fatalf("position has %d keys for %d unexpired entries", s.position.len(), s.entries.len()-expired)
	}
	subs := 0
	for ord := s.subFirst; int(ord) <= s.subs.len(); ord++ {
		r := s.liveSub(ord)
		if r == nil {
			continue
		}
		subs++
		if got, ok := s.subByIDLocked(r.id.String()); !ok || got != ord {
			t.Fatalf("submission %d not indexed by id", ord)
		}
		if got, ok := s.subByRevLocked(r.revHash); !ok || got != ord {
			t.Fatalf("submission %d not indexed by revision token", ord)
		}
		if a := s.auths.ref(int(r.auth)); a.flags&authLive == 0 || a.sub != ord {
			t.Fatalf("submission %d: authorization %d does not point back", ord, r.auth)
		}
	}
	if subs != s.subByID.len() || subs != s.subByRev.len() {
		t.Fatalf("%d live submissions, indexes hold %d and %d", subs, s.subByID.len(), s.subByRev.len())
	}
	for name, x := range map[string]*hashIndex{"position": s.position, "authByCode": s.authByCode, "subByID": s.subByID, "subByRev": s.subByRev} {
		checkIndexTags(t, name, x)
	}
	auths := 0
	for i := 0; i < s.auths.len(); i++ {
		if a := s.auths.ref(i); a.flags&authLive != 0 {
			auths++
			if got, ok := s.authByCodeLocked(a.codeHash); !ok || int(got) != i {
				t.Fatalf("authorization %d not indexed", i)
			}
		}
	}
	if auths != s.authLive || auths != s.authByCode.len() {
		t.Fatalf("%d live authorizations; authLive %d, index %d", auths, s.authLive, s.authByCode.len())
	}
	for i := 1; i < len(s.revocations); i++ {
		if s.revocations[i-1].seq > s.revocations[i].seq {
			t.Fatalf("revocations out of seq order")
		}
	}
	for i := 1; i < len(s.pendingKeys); i++ {
		if s.pendingKeys[i-1].key.WindowEnd() > s.pendingKeys[i].key.WindowEnd() {
			t.Fatalf("pending keys out of order")
		}
	}
	if len(s.pendingSet) != len(s.pendingKeys) {
		t.Fatalf("pendingSet %d, pendingKeys %d", len(s.pendingSet), len(s.pendingKeys))
	}
}

// checkIndexTags requires every occupied slot of an index to carry the tag
// of its reference's hash: a wrong tag would hide the key from look-ups.
func checkIndexTags(t *testing.T, name string, x *hashIndex) {
	t.Helper()
	for i, v := range x.slots.s {
		if v != 0 && x.slots.tags[i] != tagOf(x.hashOf(v-1)) {
			t.Fatalf("index %s: slot %d (ref %d) has tag %d, want %d", name, i, v-1, x.slots.tags[i], tagOf(x.hashOf(v-1)))
		}
	}
}
