package fsm

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

// client is what an app holds: the public set as learnt from deltas.
type client map[[tek.KeyLen]byte]tek.Key

func (c client) apply(d Delta) client {
	if d.Reset {
		c = client{}
	}
	for _, k := range d.Keys {
		c[k.Data] = k
	}
	for _, r := range d.Revoked {
		if k, ok := c[r.Data]; ok && k.RollingStart == r.RollingStart {
			delete(c, r.Data)
		}
	}
	return c
}

func (c client) equal(keys []tek.Key) bool {
	if len(c) != len(keys) {
		return false
	}
	for _, k := range keys {
		if c[k.Data] != k {
			return false
		}
	}
	return true
}

// fetch pages through the delta from since with limit, as an app does.
func fetch(t *testing.T, s *State, c client, since uint64, limit int) (client, []Delta) {
	t.Helper()
	var pages []Delta
	for i := 0; ; i++ {
		d := s.Delta(since, limit)
		pages = append(pages, d)
		c = c.apply(d)
		if !d.More {
			return c, pages
		}
		if d.Until <= since && !d.Reset {
			t.Fatalf("page %d did not advance: since %d until %d", i, since, d.Until)
		}
		since = d.Until
	}
}

func TestDeltaResetAndRange(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	if d := h.s.Delta(0, 0); !d.Reset || d.Until != h.s.Index() || len(d.Keys) != 0 {
		t.Fatalf("empty delta = %+v", d)
	}
	a := h.pastKeys(2)
	ra := h.mustPublish(h.code("p1"), a)
	S := h.s.Index()
	b := h.pastKeys(2)
	rb := h.mustPublish(h.code("p1"), b)
	c := h.pastKeys(3)
	h.mustPublish(h.code("p1"), c)
	// Inside (S, U]: b is added then rolled back; a (added at or before S)
	// has one key revoked.
	h.mustOK(h.rollback(rb.SubmissionID, ""))
	h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refsOf(a[0])}))
	U := h.s.Index()

	d := h.s.Delta(S, 0)
	if d.Reset || d.More || d.Since != S || d.Until != U {
		t.Fatalf("delta header = %+v", d)
	}
	if len(d.Keys) != 3 || !hasKey(d.Keys, c[0]) || hasKey(d.Keys, b[0]) || hasKey(d.Keys, b[1]) {
		t.Fatalf("delta keys = %v", d.Keys)
	}
	if len(d.Revoked) != 1 || !hasRevoked(d.Revoked, a[0]) {
		t.Fatalf("delta revoked = %v (b must not be listed)", d.Revoked)
	}
	// The seq of a's upload is the edge case "added at S".
	if d := h.s.Delta(ra.Seq, 0); !hasRevoked(d.Revoked, a[0]) {
		t.Fatalf("revocation of a key added at since is missing")
	}
	if d := h.s.Delta(ra.Seq-1, 0); hasRevoked(d.Revoked, a[0]) || hasKey(d.Keys, a[0]) || !hasKey(d.Keys, a[1]) {
		t.Fatalf("key added and revoked after since is listed: %+v", d)
	}

	for _, since := range []uint64{0, U + 1, U + 1000} {
		d := h.s.Delta(since, 0)
		if !d.Reset || d.Since != since || d.Until != U || len(d.Revoked) != 0 || len(d.Keys) != 4 {
			t.Fatalf("Delta(%d) = %+v, want a reset with 4 keys", since, d)
		}
	}
	if d := h.s.Delta(U, 0); d.Reset || len(d.Keys)+len(d.Revoked) != 0 || d.Until != U {
		t.Fatalf("Delta(U) = %+v, want empty", d)
	}
}

func TestDeltaPaging(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	rng := rand.New(rand.NewSource(7))
	var seqs []uint64
	for i := 0; i < 40; i++ {
		h.advance(time.Second)
		n := 1 + rng.Intn(6)
		var items []*fsmpb.PublishItem
		for j := 0; j < 1+rng.Intn(3); j++ {
			items = append(items, item(h.code("p1"), h.pastKeys(n)))
		}
		_, seq := h.publishItems(items...)
		seqs = append(seqs, seq)
		if rng.Intn(4) == 0 {
			h.mustOK(h.rollback(fmt.Sprintf("s-code-%d", 1+rng.Intn(h.n)), ""))
		}
	}
	for _, S := range []uint64{0, seqs[5], seqs[20], seqs[39]} {
		one := h.s.Delta(S, MaxDeltaLimit)
		if one.More {
			t.Fatalf("one-shot delta cut")
		}
		for limit := 1; limit <= 40; limit += 3 {
			since := S
			var keys []tek.Key
			var revoked []tek.RevokedKey
			for page := 0; ; page++ {
				d := h.s.Delta(since, limit)
				if page > 0 && d.Reset {
					t.Fatalf("page %d is a reset", page)
				}
				// A page holds exactly what lies in (since, Until]: no seq
				// is split between pages.
				rest := keySet(h.s.Delta(d.Until, MaxDeltaLimit).Keys)
				want := 0
				for _, k := range h.s.Delta(since, MaxDeltaLimit).Keys {
					if !rest[k.Data] {
						want++
					}
				}
				if d.Reset {
					want = len(d.Keys) // a reset page is checked by the totals
				}
				if len(d.Keys) != want {
					t.Fatalf("S=%d limit=%d page %d (%d,%d]: %d keys, want %d", S, limit, page, since, d.Until, len(d.Keys), want)
				}
				keys = append(keys, d.Keys...)
				revoked = append(revoked, d.Revoked...)
				if !d.More {
					if d.Until != h.s.Index() {
						t.Fatalf("last page until %d, index %d", d.Until, h.s.Index())
					}
					break
				}
				if d.Until <= since && !(d.Reset && since == 0) {
					t.Fatalf("page did not advance")
				}
				since = d.Until
			}
			if fmt.Sprint(keys) != fmt.Sprint(one.Keys) {
				t.Fatalf("S=%d limit=%d: paged keys differ from the one-shot delta", S, limit)
			}
			// Every one-shot revocation is in the pages; the pages may also
			// revoke keys that were added and revoked between two pages,
			// which no client holds.
			paged := map[tek.RevokedKey]bool{}
			for _, r := range revoked {
				paged[r] = true
			}
			for _, r := range one.Revoked {
				if !paged[r] {
					t.Fatalf("S=%d limit=%d: revocation missing from the pages", S, limit)
				}
			}
			for _, r := range revoked {
				if hasKey(one.Keys, tek.Key{Data: r.Data}) {
					t.Fatalf("a page revokes a key the one-shot delta adds")
				}
			}
		}
	}
}

func TestDeltaLimits(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	for i := 0; i < 340; i++ {
		c := h.code("p1")
		keys := make([]tek.Key, 0, 30)
		d := dayStart(h.now)
		for day := uint32(1); day <= 10; day++ {
			for j := 0; j < 3; j++ {
				keys = append(keys, h.key(d-day*tek.IntervalsPerDay, 144))
			}
		}
		h.mustPublish(c, keys)
	}
	for _, limit := range []int{0, -5, MaxDeltaLimit + 1} {
		d := h.s.Delta(0, limit)
		if !d.More || len(d.Keys) != 10020 {
			t.Fatalf("Delta(0, %d): more=%v keys=%d, want the default limit (10020 keys, whole seqs)", limit, d.More, len(d.Keys))
		}
	}
	if d := h.s.Delta(0, MaxDeltaLimit); d.More || len(d.Keys) != 10200 {
		t.Fatalf("Delta(0, max): more=%v keys=%d", d.More, len(d.Keys))
	}
}

// TestDeltaClientModel checks the contract from the client's side: whatever
// since an app last saw, applying the delta pages to what it had gives the
// current public set.
func TestDeltaClientModel(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			h := newHarness(t)
			h.rng = rand.New(rand.NewSource(seed))
			rng := rand.New(rand.NewSource(seed))
			h.provider("p1", 0)
			type view struct {
				since uint64
				c     client
			}
			var views []view
			var live []tek.Key
			for step := 0; step < 150; step++ {
				h.advance(time.Duration(rng.Intn(40)) * time.Minute)
				switch x := rng.Intn(10); {
				case x < 5:
					keys := h.pastKeys(1 + rng.Intn(4))
					if rng.Intn(3) == 0 {
						keys = append(keys, h.todayKey())
					}
					h.mustPublish(h.code("p1"), keys)
					live = append(live, keys...)
				case x < 7 && h.n > 0:
					h.rollback(fmt.Sprintf("s-code-%d", 1+rng.Intn(h.n)), "")
				case x < 8 && len(live) > 0:
					h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refsOf(live[rng.Intn(len(live))])})
				default:
					h.tick()
				}
				cur := h.s.Delta(0, MaxDeltaLimit)
				views = append(views, view{since: cur.Until, c: client{}.apply(cur)})
				for _, v := range []view{views[rng.Intn(len(views))], views[0]} {
					c := client{}
					for k, x := range v.c {
						c[k] = x
					}
					got, _ := fetch(t, h.s, c, v.since, 1+rng.Intn(8))
					if !got.equal(cur.Keys) {
						t.Fatalf("step %d: client at since %d ends with %d keys, public set has %d", step, v.since, len(got), len(cur.Keys))
					}
				}
			}
			if pub, _ := h.s.PublicCount(); pub != len(h.s.Delta(0, MaxDeltaLimit).Keys) {
				t.Fatalf("PublicCount disagrees with Delta(0)")
			}
		})
	}
}

// TestLastChangeSeq: the seq of the latest public-set change moves with a
// publish and a rollback, not with commands that leave the set alone, and
// deltas after it are empty.
func TestLastChangeSeq(t *testing.T) {
	h := newHarness(t)
	if got := h.s.LastChangeSeq(); got != 0 {
		t.Fatalf("empty state: %d", got)
	}
	h.provider("p1", 100)
	code := h.code("p1")
	pub := h.mustPublish(code, h.pastKeys(3))
	if got := h.s.LastChangeSeq(); got != pub.Seq {
		t.Fatalf("after a publish at %d: %d", pub.Seq, got)
	}
	h.code("p1")
	h.tick()
	if got := h.s.LastChangeSeq(); got != pub.Seq {
		t.Fatalf("after codes and a tick: %d, want still %d", got, pub.Seq)
	}
	if d := h.s.Delta(h.s.Index(), 0); len(d.Keys)+len(d.Revoked) != 0 {
		t.Fatalf("delta after the last change: %+v", d)
	}
	rb := h.mustOK(h.rollback(pub.SubmissionID, ""))
	if got := h.s.LastChangeSeq(); got != rb.Seq {
		t.Fatalf("after a rollback at %d: %d", rb.Seq, got)
	}
	if d := h.s.Delta(rb.Seq-1, 0); len(d.Revoked) != 3 {
		t.Fatalf("delta before the rollback lists %d revocations, want 3", len(d.Revoked))
	}
}
