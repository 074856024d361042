package fsm

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

func TestExpiryAtTheRightSeq(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	keys := h.pastKeys(3) // windows end 0, 1 and 2 days before the harness day
	h.mustPublish(h.code("p1"), keys)
	S := h.s.Index()
	for i := range keys {
		k := keys[len(keys)-1-i] // oldest window first
		expiry := tek.IntervalTime(k.WindowEnd()).Add(DefaultRetention)
		at, ok := h.s.NextEvent()
		if !ok || at != expiry.UnixMilli() {
			t.Fatalf("NextEvent = %v, %v; want %v", msTime(at), ok, expiry)
		}
		h.now = expiry.Add(-time.Millisecond)
		h.tick()
		if !hasKey(h.s.Delta(0, 0).Keys, k) {
			t.Fatalf("key left the public set before %v", expiry)
		}
		h.now = expiry
		h.tick()
		d := h.s.Delta(0, 0)
		if hasKey(d.Keys, k) {
			t.Fatalf("key still public at %v", expiry)
		}
		// Expiry is not a revocation.
		if d := h.s.Delta(S, 0); len(d.Revoked) != 0 {
			t.Fatalf("expiry listed as revocation: %v", d.Revoked)
		}
		// An expired key can no longer be revoked.
		r := h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refsOf(k)})
		wantErr(t, r.Err, ErrNotFound)
	}
	if _, ok := h.s.NextEvent(); ok {
		t.Fatalf("NextEvent with nothing left")
	}
	if pub, _ := h.s.PublicCount(); pub != 0 {
		t.Fatalf("PublicCount = %d", pub)
	}
}

func TestExpiryAfterALongSilence(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	today := h.todayKey()
	h.mustPublish(h.code("p1"), append(h.pastKeys(2), today))
	// No command for a month: the next one releases the embargoed key and
	// expires everything in the same step.
	h.advance(30 * 24 * time.Hour)
	h.tick()
	if pub, emb := h.s.PublicCount(); pub != 0 || emb != 0 {
		t.Fatalf("PublicCount = %d, %d after a month", pub, emb)
	}
}

func TestLeaderTimeFarInTheFuture(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.UnixMilli(1 << 62).UTC(),
		time.UnixMilli(1<<63 - 1).UTC(),
	} {
		h := newHarness(t)
		h.provider("p1", 0)
		h.mustPublish(h.code("p1"), append(h.pastKeys(2), h.todayKey()))
		h.now = at
		h.tick()
		if want := min(at.UnixMilli(), maxLeaderMs); h.s.Now().UnixMilli() != want {
			t.Fatalf("Now() = %v, want %v", h.s.Now(), msTime(want))
		}
		h.now = h.s.Now()
		if pub, emb := h.s.PublicCount(); pub != 0 || emb != 0 {
			t.Fatalf("at %v: PublicCount = %d, %d; want everything expired", at, pub, emb)
		}
		// Publishing still works by the rules at that time.
		c := h.code("p1")
		keys := h.pastKeys(2)
		if r := h.publish(c, keys); r.Err != nil {
			t.Fatalf("at %v: publish: %v", at, r.Err)
		}
		if got := len(h.s.Delta(0, 0).Keys); got != 2 {
			t.Fatalf("at %v: public keys = %d, want 2", at, got)
		}
		if d := restored(t, h.s).Digest(); d != h.s.Digest() {
			t.Fatalf("at %v: restored digest differs", at)
		}
	}
}

func TestPruning(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	unused := h.code("p1") // 48h ttl
	c := h.code("p1")
	keys := h.pastKeys(2)
	pub := h.mustPublish(c, keys)
	S := h.s.Index()
	h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refsOf(keys[0])}))

	// The unused code is pruned at the first hourly prune after it expired.
	h.advance(48*time.Hour - time.Minute)
	h.tick()
	h.advance(time.Minute + time.Millisecond)
	wantErr(t, h.publish(unused, h.pastKeys(1)).Err, ErrCodeExpired)
	h.advance(time.Hour)
	wantErr(t, h.publish(unused, h.pastKeys(1)).Err, ErrCodeInvalid)

	// The revocation record stays while the key would still be public.
	expiry := tek.IntervalTime(keys[0].WindowEnd()).Add(DefaultRetention)
	h.now = expiry.Add(-time.Minute)
	h.tick()
	if d := h.s.Delta(S, 0); !hasRevoked(d.Revoked, keys[0]) {
		t.Fatalf("revocation pruned before the key expired")
	}
	h.now = expiry.Add(pruneEvery)
	h.tick()
	if d := h.s.Delta(S, 0); len(d.Revoked) != 0 {
		t.Fatalf("revocation of an expired key still listed: %v", d.Revoked)
	}

	// The submission record lives retention + 2 days after the upload.
	keep := t0.Add(DefaultRetention + submissionKeepDays*24*time.Hour)
	h.now = keep
	h.tick()
	if _, err := h.s.Submission(pub.SubmissionID); err != nil {
		t.Fatalf("submission pruned early: %v", err)
	}
	wantErr(t, h.publish(c, keys).Err, nil) // replay still answers
	h.now = keep.Add(pruneEvery)
	h.tick()
	if _, err := h.s.Submission(pub.SubmissionID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("submission not pruned: %v", err)
	}
	if _, err := h.s.SubmissionByRevision(hashOf("rev-" + c)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revision token not pruned: %v", err)
	}
	if got := h.s.SubmissionsOf("p1", time.Time{}); len(got) != 0 {
		t.Fatalf("SubmissionsOf after prune = %d", len(got))
	}
	wantErr(t, h.publish(c, keys).Err, ErrCodeInvalid)
}

// TestCompactionKeepsContent lets one state compact while a copy restored
// mid-way (and so counting fewer expired entries) does not yet, then checks
// that both keep answering alike.
func TestCompactionKeepsContent(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	for i := 0; i < 60; i++ {
		var keys []tek.Key
		d := dayStart(h.now)
		for day := uint32(1); day <= 10; day++ {
			for j := 0; j < 3; j++ {
				keys = append(keys, h.key(d-day*tek.IntervalsPerDay, 144))
			}
		}
		h.mustPublish(h.code("p1"), keys)
	}
	var b *State
	compactedAlone := false
	for day := 1; day <= 12; day++ {
		// 180 keys expire each day from day 2 on.
		h.now = tek.IntervalTime(dayStart(t0)).Add(DefaultRetention + time.Duration(day-11)*24*time.Hour + time.Hour)
		before := h.s.entries.len()
		c := h.code("p1")
		if h.s.entries.len() < before {
			if h.s.expiredCount != 0 {
				t.Fatalf("expiredCount = %d after compaction", h.s.expiredCount)
			}
			if b == nil {
				t.Fatalf("test setup: compaction before the copy was made")
			}
			if b.entries.len() != h.s.entries.len() {
				compactedAlone = true
			}
		}
		h.mustPublish(c, h.pastKeys(1))
		// Revoke one surviving key of the old batch in both: the position
		// index must still find it.
		if sv := h.s.Delta(0, MaxDeltaLimit).Keys; len(sv) > 1 {
			h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refsOf(sv[0])}))
		}
		if day == 3 {
			b = restored(t, h.s)
			h.mirrors = []*State{b}
		}
		if b != nil {
			if h.s.Digest() != b.Digest() {
				t.Fatalf("day %d: digests differ", day)
			}
			if fmt.Sprint(h.s.Delta(0, MaxDeltaLimit)) != fmt.Sprint(b.Delta(0, MaxDeltaLimit)) {
				t.Fatalf("day %d: deltas differ", day)
			}
		}
	}
	if !compactedAlone {
		t.Fatalf("the state never compacted while its copy did not")
	}
	if pub, _ := h.s.PublicCount(); pub == 0 {
		t.Fatalf("nothing survived")
	}
}
