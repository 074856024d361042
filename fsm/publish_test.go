package fsm

import (
	"errors"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

func TestPublishCodeChecks(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)

	t.Run("unknown code", func(t *testing.T) {
		wantErr(t, h.publish("never-issued", h.pastKeys(1)).Err, ErrCodeInvalid)
	})
	t.Run("expiry boundary", func(t *testing.T) {
		h.issue(issueReq{provider: "p1", ttl: time.Hour, codes: []string{"exp-a", "exp-b"}})
		h.advance(time.Hour)
		if r := h.publish("exp-a", h.pastKeys(1)); r.Err != nil {
			t.Fatalf("publish at exactly the expiry time: %v", r.Err)
		}
		h.advance(time.Millisecond)
		wantErr(t, h.publish("exp-b", h.pastKeys(1)).Err, ErrCodeExpired)
	})
	t.Run("suspended provider", func(t *testing.T) {
		c := h.code("p1")
		h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_SET_PROVIDER_SUSPENDED, &fsmpb.SetProviderSuspended{Id: "p1", Suspended: true}))
		wantErr(t, h.publish(c, h.pastKeys(1)).Err, ErrProviderSuspend)
		_, err := h.s.CheckCode(hashOf(c), KeySetHash(h.pastKeys(1)))
		wantErr(t, err, ErrProviderSuspend)
		h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_SET_PROVIDER_SUSPENDED, &fsmpb.SetProviderSuspended{Id: "p1", Suspended: false}))
		if r := h.publish(c, h.pastKeys(1)); r.Err != nil {
			t.Fatalf("publish after resume: %v", r.Err)
		}
	})
	t.Run("suspend unknown provider", func(t *testing.T) {
		r := h.apply(fsmpb.CommandType_COMMAND_TYPE_SET_PROVIDER_SUSPENDED, &fsmpb.SetProviderSuspended{Id: "nope", Suspended: true})
		wantErr(t, r.Err, ErrNotFound)
	})
}

func TestPublishReplayAndReuse(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	c := h.code("p1")
	keys := h.pastKeys(5)
	first := h.mustPublish(c, keys)
	if first.Replayed || first.Inserted != 5 || first.SubmissionID != "s-"+c {
		t.Fatalf("first publish = %+v", first)
	}

	h.advance(time.Hour)
	// Same keys in another order, with another submission id and revision
	// token: the original answer.
	rev := []tek.Key{keys[3], keys[1], keys[4], keys[0], keys[2]}
	it := item(c, rev)
	it.SubmissionId, it.RevisionTokenHash = "s-other", hashOf("rev-other").slice()
	out, seq := h.publishItems(it)
	got := out[0]
	want := PublishItemResult{SubmissionID: first.SubmissionID, Inserted: 5, Seq: first.Seq, Replayed: true}
	if got != want {
		t.Fatalf("replay = %+v, want %+v", got, want)
	}
	if seq == first.Seq {
		t.Fatalf("replay applied at the same index")
	}
	if _, err := h.s.Submission("s-other"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a replay created a submission: %v", err)
	}
	replay, err := h.s.CheckCode(hashOf(c), KeySetHash(keys))
	if err != nil || replay == nil || *replay != want {
		t.Fatalf("CheckCode replay = %+v, %v", replay, err)
	}
	// The server-derived report type does not change the key set hash.
	changed := append([]tek.Key(nil), keys...)
	changed[0].ReportType = tek.ReportSelf
	if KeySetHash(changed) != KeySetHash(keys) {
		t.Fatalf("KeySetHash depends on the report type")
	}

	// Other keys with the same code.
	other := append(h.pastKeys(4), keys[0])
	wantErr(t, h.publish(c, other).Err, ErrCodeUsed)
	_, err = h.s.CheckCode(hashOf(c), KeySetHash(other))
	wantErr(t, err, ErrCodeUsed)
	changed[0].TransmissionRisk = (changed[0].TransmissionRisk + 1) % 9
	wantErr(t, h.publish(c, changed).Err, ErrCodeUsed)

	// Unknown code, fresh code.
	_, err = h.s.CheckCode(hashOf("nope"), KeySetHash(keys))
	wantErr(t, err, ErrCodeInvalid)
	c2 := h.code("p1")
	if r, err := h.s.CheckCode(hashOf(c2), KeySetHash(keys)); r != nil || err != nil {
		t.Fatalf("CheckCode fresh = %+v, %v", r, err)
	}
}

func TestPublishDerivesReportTypeAndOnset(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	today := int32(dayStart(h.now) / tek.IntervalsPerDay)
	onset := func(d int32) *int32 { return &d }
	tests := []struct {
		name      string
		rt        tek.ReportType
		onset     *int32
		appOnset  *int8 // nil: the app leaves it out
		wantOnset *int8 // nil: no onset
	}{
		{"no onset anywhere", tek.ReportClinical, nil, nil, nil},
		{"onset 3 days ago", tek.ReportSelf, onset(today - 3), nil, ptr8(2)}, // key of yesterday
		{"app value kept", tek.ReportConfirmed, onset(today - 3), ptr8(-5), ptr8(-5)},
		{"app value without authorization onset", tek.ReportRecursive, nil, ptr8(7), ptr8(7)},
		{"onset far in the future clamps", tek.ReportConfirmed, onset(today + 100), nil, ptr8(-14)},
		{"onset far in the past clamps", tek.ReportConfirmed, onset(today - 100), nil, ptr8(14)},
		{"onset at the limit", tek.ReportConfirmed, onset(today - 15), nil, ptr8(14)},
		{"extreme onset day", tek.ReportConfirmed, onset(-1 << 31), nil, ptr8(14)},
		{"extreme future onset day", tek.ReportConfirmed, onset(1<<31 - 1), nil, ptr8(-14)},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code := "derive-" + string(rune('a'+i))
			h.issue(issueReq{provider: "p1", rt: tc.rt, onset: tc.onset, codes: []string{code}})
			k := h.pastKeys(1)[0] // yesterday
			k.ReportType = tek.ReportRevoked
			if tc.appOnset != nil {
				k.HasOnset, k.DaysSinceOnset = true, *tc.appOnset
			}
			r := h.mustPublish(code, []tek.Key{k})
			sub, err := h.s.Submission(r.SubmissionID)
			if err != nil {
				t.Fatal(err)
			}
			got := sub.Keys[0]
			if got.ReportType != tc.rt {
				t.Fatalf("report type = %v, want %v", got.ReportType, tc.rt)
			}
			switch {
			case tc.wantOnset == nil && got.HasOnset:
				t.Fatalf("onset = %d, want none", got.DaysSinceOnset)
			case tc.wantOnset != nil && (!got.HasOnset || got.DaysSinceOnset != *tc.wantOnset):
				t.Fatalf("onset = %v/%d, want %d", got.HasOnset, got.DaysSinceOnset, *tc.wantOnset)
			}
			// The public set carries the derived values too.
			d := h.s.Delta(0, 0)
			for _, pk := range d.Keys {
				if pk.Data == k.Data && pk != got {
					t.Fatalf("public key %+v differs from submission key %+v", pk, got)
				}
			}
		})
	}
}

func ptr8(v int8) *int8 { return &v }

func TestPublishKeyAlreadyPublished(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	c1, c2 := h.code("p1"), h.code("p1")
	keys := h.pastKeys(3)
	today := h.todayKey()
	h.mustPublish(c1, append(keys[:2:2], today))
	r := h.mustPublish(c2, []tek.Key{keys[1], keys[2], today})
	if r.Inserted != 1 {
		t.Fatalf("Inserted = %d, want 1 (two keys were already known)", r.Inserted)
	}
	sub, _ := h.s.Submission(r.SubmissionID)
	if len(sub.Keys) != 1 || sub.Keys[0].Data != keys[2].Data {
		t.Fatalf("submission keys = %v", sub.Keys)
	}
	if pub, emb := h.s.PublicCount(); pub != 3 || emb != 1 {
		t.Fatalf("PublicCount = %d, %d; want 3, 1", pub, emb)
	}
	// Two items of one command carrying the same key.
	c3, c4 := h.code("p1"), h.code("p1")
	k := h.pastKeys(4)[3]
	out, _ := h.publishItems(item(c3, []tek.Key{k}), item(c4, []tek.Key{k}))
	if out[0].Inserted != 1 || out[1].Inserted != 0 || out[1].Err != nil {
		t.Fatalf("items = %+v", out)
	}
	if got := len(h.s.Delta(0, 0).Keys); got != 4 {
		t.Fatalf("public keys = %d, want 4", got)
	}
}

func TestPublishEmbargo(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	c := h.code("p1")
	today := h.todayKey()
	short := h.key(tek.IntervalOf(h.now), 1) // window is the current interval
	past := h.pastKeys(1)[0]
	r := h.mustPublish(c, []tek.Key{today, past})
	c2 := h.code("p1")
	h.mustPublish(c2, []tek.Key{short})
	if r.Inserted != 2 {
		t.Fatalf("Inserted = %d, want 2 (embargoed keys count)", r.Inserted)
	}
	d := h.s.Delta(0, 0)
	if hasKey(d.Keys, today) || hasKey(d.Keys, short) || !hasKey(d.Keys, past) {
		t.Fatalf("delta keys = %d, embargoed key published early", len(d.Keys))
	}
	if pub, emb := h.s.PublicCount(); pub != 1 || emb != 2 {
		t.Fatalf("PublicCount = %d, %d; want 1, 2", pub, emb)
	}
	at, ok := h.s.NextEvent()
	if want := tek.IntervalTime(short.WindowEnd()).UnixMilli(); !ok || at != want {
		t.Fatalf("NextEvent = %d, %v; want %d", at, ok, want)
	}

	// One millisecond before the short window ends: still embargoed.
	h.now = tek.IntervalTime(short.WindowEnd()).Add(-time.Millisecond)
	h.tick()
	if hasKey(h.s.Delta(0, 0).Keys, short) {
		t.Fatalf("key released before its window ended")
	}
	h.now = tek.IntervalTime(short.WindowEnd())
	seq := h.tick()
	d = h.s.Delta(seq-1, 0)
	if len(d.Keys) != 1 || d.Keys[0].Data != short.Data {
		t.Fatalf("delta at release = %+v", d)
	}
	// Release uses the seq of the releasing command, and the key carries
	// the derived report type.
	d = h.s.Delta(seq, 0)
	if len(d.Keys) != 0 {
		t.Fatalf("keys after the release seq: %d", len(d.Keys))
	}

	// The full-day key is released by whatever command comes first after
	// its window ended, here the issue of another code, three hours later.
	h.now = tek.IntervalTime(today.WindowEnd()).Add(3 * time.Hour)
	res := h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, h.issueCmd(issueReq{provider: "p1", codes: []string{"late"}})))
	d = h.s.Delta(res.Seq-1, 0)
	if len(d.Keys) != 1 || d.Keys[0].Data != today.Data || d.Keys[0].ReportType != tek.ReportConfirmed {
		t.Fatalf("delta at release = %+v", d)
	}
	if pub, emb := h.s.PublicCount(); pub != 3 || emb != 0 {
		t.Fatalf("PublicCount = %d, %d; want 3, 0", pub, emb)
	}
}

func TestPublishMultiItemIndependence(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	ok1, used, ok2 := h.code("p1"), h.code("p1"), h.code("p1")
	h.mustPublish(used, h.pastKeys(1))
	bad := h.pastKeys(2)
	bad[0].TransmissionRisk = 9
	noID := item(h.code("p1"), h.pastKeys(1))
	noID.SubmissionId = ""
	badHash := item(h.code("p1"), h.pastKeys(1))
	badHash.CodeHash = badHash.CodeHash[:31]
	badRev := item(h.code("p1"), h.pastKeys(1))
	badRev.RevisionTokenHash = nil
	dupSub := item(h.code("p1"), h.pastKeys(1))
	dupSub.SubmissionId = "s-" + used
	dupRev := item(h.code("p1"), h.pastKeys(1))
	dupRev.RevisionTokenHash = hashOf("rev-" + used).slice()
	badKeyCode := h.code("p1")
	items := []*fsmpb.PublishItem{
		item(ok1, h.pastKeys(2)),
		item("unknown", h.pastKeys(1)),
		item(used, h.pastKeys(3)),
		item(badKeyCode, bad),
		noID, badHash, badRev, dupSub, dupRev,
		item(ok2, h.pastKeys(1)),
	}
	want := []error{nil, ErrCodeInvalid, ErrCodeUsed, ErrInvalidKey, ErrBadCommand, ErrBadCommand, ErrBadCommand, ErrExists, ErrExists, nil}
	out, seq := h.publishItems(items...)
	if len(out) != len(items) {
		t.Fatalf("%d results for %d items", len(out), len(items))
	}
	for i, r := range out {
		if want[i] == nil {
			if r.Err != nil || r.Seq != seq || r.Inserted == 0 {
				t.Fatalf("item %d = %+v, want accepted at %d", i, r, seq)
			}
			continue
		}
		if !errors.Is(r.Err, want[i]) {
			t.Fatalf("item %d error = %v, want %v", i, r.Err, want[i])
		}
		if r.SubmissionID != "" || r.Inserted != 0 {
			t.Fatalf("refused item %d = %+v", i, r)
		}
	}
	if got := len(h.s.Delta(0, 0).Keys); got != 1+2+1 {
		t.Fatalf("public keys = %d, want 4", got)
	}
	// An empty Publish is refused as a whole.
	r := h.apply(fsmpb.CommandType_COMMAND_TYPE_PUBLISH, &fsmpb.Publish{})
	wantErr(t, r.Err, ErrBadCommand)
}

func TestIssueAuthorizations(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	h.provider("p2", 0)
	h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_SET_PROVIDER_SUSPENDED, &fsmpb.SetProviderSuspended{Id: "p2", Suspended: true}))
	h.issue(issueReq{provider: "p1", codes: []string{"taken"}})
	tests := []struct {
		name string
		mod  func(*fsmpb.IssueAuthorizations)
		want error
	}{
		{"ok", func(c *fsmpb.IssueAuthorizations) {}, nil},
		{"unknown provider", func(c *fsmpb.IssueAuthorizations) { c.ProviderId = "nope" }, ErrNotFound},
		{"suspended provider", func(c *fsmpb.IssueAuthorizations) { c.ProviderId = "p2" }, ErrProviderSuspend},
		{"report type unknown", func(c *fsmpb.IssueAuthorizations) { c.ReportType = 0 }, ErrBadCommand},
		{"report type revoked", func(c *fsmpb.IssueAuthorizations) { c.ReportType = uint32(tek.ReportRevoked) }, ErrBadCommand},
		{"report type recursive", func(c *fsmpb.IssueAuthorizations) { c.ReportType = uint32(tek.ReportRecursive) }, nil},
		{"no codes", func(c *fsmpb.IssueAuthorizations) { c.Authorizations = nil }, ErrBadCommand},
		{"expires now", func(c *fsmpb.IssueAuthorizations) { c.ExpiresUnixMs = h.now.UnixMilli() }, ErrBadCommand},
		{"expires in 1ms", func(c *fsmpb.IssueAuthorizations) { c.ExpiresUnixMs = h.now.UnixMilli() + 1 }, nil},
		{"code already issued", func(c *fsmpb.IssueAuthorizations) { c.Authorizations[1].CodeHash = hashOf("taken").slice() }, ErrBadCommand},
		{"same code twice in one command", func(c *fsmpb.IssueAuthorizations) { c.Authorizations[1].CodeHash = c.Authorizations[0].CodeHash }, ErrBadCommand},
		{"empty id", func(c *fsmpb.IssueAuthorizations) { c.Authorizations[1].Id = "" }, ErrBadCommand},
		{"short hash", func(c *fsmpb.IssueAuthorizations) { c.Authorizations[1].CodeHash = []byte{1} }, ErrBadCommand},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := "issue-a-"+string(rune('a'+i)), "issue-b-"+string(rune('a'+i))
			c := h.issueCmd(issueReq{provider: "p1", codes: []string{a, b}})
			tc.mod(c)
			before := contentDigest(h.s)
			r := h.apply(fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, c)
			if tc.want == nil {
				res := h.mustOK(r).Value.(AuthorizationsResult)
				if len(res.IDs) != 2 || res.IDs[0] != "a-"+a || !res.Expires.Equal(msTime(c.ExpiresUnixMs)) {
					t.Fatalf("result = %+v", res)
				}
				return
			}
			wantErr(t, r.Err, tc.want)
			// A refused command changes nothing but the applied index.
			if contentDigest(h.s) != before {
				t.Fatalf("refused command changed the state")
			}
			if tc.name == "same code twice in one command" {
				wantErr(t, h.publish(a, h.pastKeys(1)).Err, ErrCodeInvalid)
			}
		})
	}
}
