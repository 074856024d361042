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
	expired := 0
	for i, e := range s.entries {
		if i > 0 && s.entries[i-1].seq > e.seq {
			t.Fatalf("entries out of seq order at %d", i)
		}
		if e.expired {
			expired++
			continue
		}
		if p, ok := s.position[e.key.Data]; !ok || int(p) != i {
			t.Fatalf("entry %d not indexed by position", i)
		}
	}
	if expired != s.expiredCount {
		t.Fatalf("expiredCount %d, counted %d", s.expiredCount, expired)
	}
	if len(s.position) != len(s.entries)-expired {
		t.Fatalf("position has %d keys for %d live entries", len(s.position), len(s.entries)-expired)
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
