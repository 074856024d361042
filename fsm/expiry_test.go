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
	for _, k := range keys {
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
	// A later leader time far in the future must not hang or wrap.
	h.now = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	h.tick()
	h.now = time.UnixMilli(1<<62).UTC()
	h.tick()
	if pub, _ := h.s.PublicCount(); pub != 0 {
		t.Fatalf("PublicCount = %d", pub)
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

	// The unused code is pruned (at the hourly prune) once expired.
	h.advance(48*time.Hour + time.Millisecond)
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
	a := newHarness(t)
	a.provider("p1", 0)
	var all []tek.Key
	for i := 0; i < 60; i++ {
		var keys []tek.Key
		d := dayStart(a.now)
		for day := uint32(1); day <= 10; day++ {
			for j := 0; j < 3; j++ {
				keys = append(keys, a.key(d-day*tek.IntervalsPerDay, 144))
			}
		}
		a.mustPublish(a.code("p1"), keys)
		all = append(all, keys...)
	}
	var b *harness
	survivors := func() []tek.Key { return a.s.Delta(0, MaxDeltaLimit).Keys }
	compacted := false
	for day := 1; day <= 12; day++ {
		// Keys of the day before t0's day expire 13 days after t0's day start.
		a.now = tek.IntervalTime(dayStart(t0)).Add(DefaultRetention + time.Duration(day-1)*24*time.Hour + time.Hour)
		cmd := []func(h *harness){
			func(h *harness) { h.tick() },
			func(h *harness) {
				h.mustPublish(fmt.Sprintf("fresh-%d", day), []tek.Key{h.pastKeys(1)[0]})
			},
		}
		issue := fsmpb.IssueAuthorizations{}
		_ = issue
		before := len(a.s.entries)
		a.issue(issueReq{provider: "p1", ttl: 24 * time.Hour, codes: []string{fmt.Sprintf("fresh-%d", day)}})
		if b != nil {
			b.now = a.now
			b.idx = a.idx - 1
			b.issue(issueReq{provider: "p1", ttl: 24 * time.Hour, codes: []string{fmt.Sprintf("fresh-%d", day)}})
		}
		if len(a.s.entries) < before {
			compacted = true
			if a.s.expiredCount != 0 {
				t.Fatalf("expiredCount = %d after compaction", a.s.expiredCount)
			}
			if b == nil || len(b.s.entries) == len(a.s.entries) {
				t.Fatalf("test setup: the restored copy compacted at the same time")
			}
		}
		for _, f := range cmd {
			f(a)
			if b != nil {
				b.now = a.now
				b.idx = a.idx - 1
				f(b)
			}
		}
		if day == 3 {
			b = &harness{t: t, s: restored(t, a.s), now: a.now, idx: a.idx, rng: a.rng}
		}
		if b != nil {
			if a.s.Digest() != b.s.Digest() {
				t.Fatalf("day %d: digests differ", day)
			}
			if fmt.Sprint(a.s.Delta(0, MaxDeltaLimit)) != fmt.Sprint(b.s.Delta(0, MaxDeltaLimit)) {
				t.Fatalf("day %d: deltas differ", day)
			}
		}
		// Revoke one surviving key of the old batch in both: the position
		// index must still find it.
		if sv := survivors(); len(sv) > 0 {
			k := sv[0]
			for _, h := range []*harness{a, b} {
				if h == nil {
					continue
				}
				h.now = a.now
				h.idx = a.idx
				h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refsOf(k)}))
			}
			a.idx = b.idxOr(a.idx)
		}
	}
	if !compacted {
		t.Fatalf("no compaction happened")
	}
	if a.s.Digest() != b.s.Digest() {
		t.Fatalf("final digests differ")
	}
	_ = all
}

func (h *harness) idxOr(v uint64) uint64 {
	if h == nil {
		return v
	}
	return h.idx
}
