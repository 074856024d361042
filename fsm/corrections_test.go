package fsm

import (
	"errors"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

func (h *harness) rollback(sub, actor string) Result {
	h.t.Helper()
	return h.apply(fsmpb.CommandType_COMMAND_TYPE_ROLLBACK_SUBMISSION,
		&fsmpb.RollbackSubmission{SubmissionId: sub, ActorProviderId: actor, Reason: "lab mix-up"})
}

func (h *harness) suspend(id string, on bool) {
	h.t.Helper()
	h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_SET_PROVIDER_SUSPENDED, &fsmpb.SetProviderSuspended{Id: id, Suspended: on}))
}

func TestRollbackSubmission(t *testing.T) {
	tests := []struct {
		name     string
		actor    string
		suspend  string // provider suspended before the rollback
		wantErr  error
		wantKeys int
	}{
		{"owner", "p1", "", nil, 4},
		{"admin", "", "", nil, 4},
		{"admin while owner suspended", "", "p1", nil, 4},
		{"other provider", "p2", "", ErrForbidden, 0},
		{"unknown provider", "ghost", "", ErrForbidden, 0},
		{"suspended owner", "p1", "p1", ErrForbidden, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.provider("p1", 0)
			h.provider("p2", 0)
			c := h.code("p1")
			keys := append(h.pastKeys(3), h.todayKey())
			pub := h.mustPublish(c, keys)
			if tc.suspend != "" {
				h.suspend(tc.suspend, true)
			}
			before := contentDigest(h.s)
			r := h.rollback(pub.SubmissionID, tc.actor)
			if tc.wantErr != nil {
				wantErr(t, r.Err, tc.wantErr)
				if contentDigest(h.s) != before {
					t.Fatalf("refused rollback changed the state")
				}
				return
			}
			got := h.mustOK(r).Value.(RevokeResult)
			if want := (RevokeResult{SubmissionID: pub.SubmissionID, Revoked: tc.wantKeys, Seq: r.Seq}); got != want {
				t.Fatalf("rollback = %+v, want %+v", got, want)
			}
			sub, _ := h.s.Submission(pub.SubmissionID)
			if sub.State != SubmissionRolledBack || sub.RollbackSeq != r.Seq || sub.Revoked != tc.wantKeys || sub.Reason != "lab mix-up" {
				t.Fatalf("submission after rollback = %+v", sub)
			}
			if pubN, emb := h.s.PublicCount(); pubN != 0 || emb != 0 {
				t.Fatalf("PublicCount = %d, %d after rollback", pubN, emb)
			}
			// The three public keys are listed as revoked for a client that
			// had them; the embargoed one never was public.
			d := h.s.Delta(pub.Seq, 0)
			if len(d.Keys) != 0 || len(d.Revoked) != 3 || hasRevoked(d.Revoked, keys[3]) {
				t.Fatalf("delta after rollback = %+v", d)
			}
			// Idempotent: same seq and count, later, by the app too.
			h.advance(time.Minute)
			again := h.mustOK(h.rollback(pub.SubmissionID, tc.actor)).Value.(RevokeResult)
			if again != got {
				t.Fatalf("second rollback = %+v, want %+v", again, got)
			}
			byToken := h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_BY_TOKEN,
				&fsmpb.RevokeByToken{RevisionTokenHash: hashOf("rev-" + c).slice()})).Value.(RevokeResult)
			if byToken != got {
				t.Fatalf("revoke by token after rollback = %+v, want %+v", byToken, got)
			}
			// The embargoed key is never released.
			h.now = tek.IntervalTime(keys[3].WindowEnd())
			h.tick()
			if pubN, _ := h.s.PublicCount(); pubN != 0 {
				t.Fatalf("rolled-back embargoed key was released")
			}
		})
	}
}

func TestRollbackUnknownSubmission(t *testing.T) {
	h := newHarness(t)
	wantErr(t, h.rollback("s-nope", "").Err, ErrNotFound)
}

func TestRollbackOnlyEmbargoedKeys(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	c := h.code("p1")
	pub := h.mustPublish(c, []tek.Key{h.todayKey()})
	before := h.s.Delta(0, 0)
	r := h.mustOK(h.rollback(pub.SubmissionID, "p1")).Value.(RevokeResult)
	if r.Revoked != 1 {
		t.Fatalf("Revoked = %d, want 1", r.Revoked)
	}
	after := h.s.Delta(before.Until, 0)
	if len(after.Keys) != 0 || len(after.Revoked) != 0 {
		t.Fatalf("rollback of an embargoed key is visible in the delta: %+v", after)
	}
}

func TestRevokeByToken(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	c := h.code("p1")
	pub := h.mustPublish(c, h.pastKeys(2))
	r := h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_BY_TOKEN, &fsmpb.RevokeByToken{RevisionTokenHash: hashOf("rev-unknown").slice()})
	wantErr(t, r.Err, ErrNotFound)
	r = h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_BY_TOKEN, &fsmpb.RevokeByToken{RevisionTokenHash: []byte("short")})
	wantErr(t, r.Err, ErrBadCommand)
	res := h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_BY_TOKEN,
		&fsmpb.RevokeByToken{RevisionTokenHash: hashOf("rev-" + c).slice()})).Value.(RevokeResult)
	if res.Revoked != 2 || res.SubmissionID != pub.SubmissionID {
		t.Fatalf("revoke by token = %+v", res)
	}
	sub, err := h.s.SubmissionByRevision(hashOf("rev-" + c))
	if err != nil || sub.State != SubmissionRolledBack || sub.Reason != reasonAppRevoked {
		t.Fatalf("SubmissionByRevision = %+v, %v", sub, err)
	}
	if _, err := h.s.SubmissionByRevision(hashOf("nope")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SubmissionByRevision(unknown) = %v", err)
	}
}

func TestRevokeKeys(t *testing.T) {
	setup := func(t *testing.T) (*harness, []tek.Key, []tek.Key) {
		h := newHarness(t)
		h.provider("p1", 0)
		h.provider("p2", 0)
		k1 := append(h.pastKeys(2), h.todayKey())
		h.mustPublish(h.code("p1"), k1)
		h.advance(time.Minute)
		k2 := h.pastKeys(3)[2:]
		h.mustPublish(h.code("p2"), k2)
		return h, k1, k2
	}
	revoke := func(h *harness, actor string, refs ...*fsmpb.KeyRef) Result {
		return h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refs, ActorProviderId: actor, Reason: "r"})
	}
	t.Run("all or nothing", func(t *testing.T) {
		h, k1, _ := setup(t)
		unknown := h.key(k1[0].RollingStart, 144)
		wrongStart := k1[1]
		wrongStart.RollingStart -= tek.IntervalsPerDay
		cases := []struct {
			name  string
			actor string
			refs  []*fsmpb.KeyRef
			want  error
		}{
			{"unknown key", "p1", refsOf(k1[0], unknown, k1[1]), ErrNotFound},
			{"known bytes, other start", "p1", refsOf(k1[0], wrongStart), ErrNotFound},
			{"key of another provider", "p1", append(refsOf(k1[0]), refsOf(h.s.Delta(0, 0).Keys...)...), ErrForbidden},
			{"no keys", "", nil, ErrBadCommand},
			{"malformed ref", "", append(refsOf(k1[0]), &fsmpb.KeyRef{Data: []byte{1, 2}}), ErrBadCommand},
		}
		for _, c := range cases {
			before := contentDigest(h.s)
			wantErr(t, revoke(h, c.actor, c.refs...).Err, c.want)
			if contentDigest(h.s) != before {
				t.Fatalf("%s: refused revocation changed the state", c.name)
			}
		}
	})
	t.Run("owner revokes public and embargoed keys", func(t *testing.T) {
		h, k1, k2 := setup(t)
		since := h.s.Index()
		res := h.mustOK(revoke(h, "p1", refsOf(k1[0], k1[2], k1[0])...)).Value.(RevokeResult)
		if res.Revoked != 2 || res.Seq != h.idx {
			t.Fatalf("revoke = %+v, want 2 at %d", res, h.idx)
		}
		d := h.s.Delta(since, 0)
		if len(d.Revoked) != 1 || !hasRevoked(d.Revoked, k1[0]) {
			t.Fatalf("revoked = %v", d.Revoked)
		}
		if pub, emb := h.s.PublicCount(); pub != 1+len(k2) || emb != 0 {
			t.Fatalf("PublicCount = %d, %d", pub, emb)
		}
		// Revoking an already revoked key is accepted and changes nothing.
		res = h.mustOK(revoke(h, "p1", refsOf(k1[0])...)).Value.(RevokeResult)
		if res.Revoked != 0 {
			t.Fatalf("second revoke = %+v", res)
		}
		// A later rollback of the submission revokes only what is left.
		rb := h.mustOK(h.rollback("s-code-1", "p1")).Value.(RevokeResult)
		if rb.Revoked != 1 {
			t.Fatalf("rollback after revoke = %+v, want 1", rb)
		}
	})
	t.Run("admin revokes keys of two providers", func(t *testing.T) {
		h, k1, k2 := setup(t)
		res := h.mustOK(revoke(h, "", refsOf(k1[1], k2[0])...)).Value.(RevokeResult)
		if res.Revoked != 2 {
			t.Fatalf("revoke = %+v", res)
		}
	})
	t.Run("suspended owner", func(t *testing.T) {
		h, k1, _ := setup(t)
		h.suspend("p1", true)
		wantErr(t, revoke(h, "p1", refsOf(k1[0])...).Err, ErrForbidden)
	})
}

func TestRollbackProviderWindow(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	h.provider("p2", 0)
	var times []time.Time
	var subs []string
	for i := 0; i < 4; i++ {
		c := h.code("p1")
		times = append(times, h.now)
		subs = append(subs, h.mustPublish(c, h.pastKeys(1)).SubmissionID)
		h.advance(time.Hour)
	}
	other := h.mustPublish(h.code("p2"), h.pastKeys(1)).SubmissionID
	rb := func(p string, since, until time.Time) Result {
		c := &fsmpb.RollbackProvider{ProviderId: p, SinceUnixMs: since.UnixMilli()}
		if !until.IsZero() {
			c.UntilUnixMs = until.UnixMilli()
		}
		return h.apply(fsmpb.CommandType_COMMAND_TYPE_ROLLBACK_PROVIDER, c)
	}
	wantErr(t, rb("nope", times[0], time.Time{}).Err, ErrNotFound)
	wantErr(t, rb("p1", times[1], times[1]).Err, ErrBadCommand)
	wantErr(t, rb("p1", times[2], times[1]).Err, ErrBadCommand)

	// [since, until): times[1] in, times[3] out.
	r := h.mustOK(rb("p1", times[1], times[3]))
	res := r.Value.(ProviderRollbackResult)
	if want := (ProviderRollbackResult{Submissions: 2, Revoked: 2, Seq: r.Seq}); res != want {
		t.Fatalf("rollback = %+v, want %+v", res, want)
	}
	state := func(id string) SubmissionState {
		s, err := h.s.Submission(id)
		if err != nil {
			t.Fatal(err)
		}
		return s.State
	}
	wantStates := []SubmissionState{SubmissionActive, SubmissionRolledBack, SubmissionRolledBack, SubmissionActive}
	for i, id := range subs {
		if got := state(id); got != wantStates[i] {
			t.Fatalf("submission %d state = %s, want %s", i, got, wantStates[i])
		}
	}
	// Open-ended: the rest of p1 from times[0]; already rolled back ones are
	// not counted again; p2 is untouched.
	res = h.mustOK(rb("p1", times[0], time.Time{})).Value.(ProviderRollbackResult)
	if res.Submissions != 2 || res.Revoked != 2 {
		t.Fatalf("open rollback = %+v", res)
	}
	if state(other) != SubmissionActive {
		t.Fatalf("other provider's submission rolled back")
	}
	if got := len(h.s.SubmissionsOf("p1", times[2])); got != 2 {
		t.Fatalf("SubmissionsOf(p1, times[2]) = %d, want 2", got)
	}
	all := h.s.SubmissionsOf("", time.Time{})
	if len(all) != 5 || all[0].ID != subs[0] || all[4].ID != other {
		t.Fatalf("SubmissionsOf(all) = %d", len(all))
	}
	if got := h.s.SubmissionsOf("ghost", time.Time{}); len(got) != 0 {
		t.Fatalf("SubmissionsOf(ghost) = %v", got)
	}
}

func TestQuotaPerDay(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 3)
	h.provider("free", 0)
	issue := func(n int, p string) error {
		var codes []string
		for i := 0; i < n; i++ {
			h.n++
			codes = append(codes, "q"+string(rune('A'+h.n%26))+time.Duration(h.n).String())
		}
		return h.apply(fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, h.issueCmd(issueReq{provider: p, codes: codes})).Err
	}
	steps := []struct {
		at   time.Time
		n    int
		want error
	}{
		{t0, 2, nil},
		{t0, 2, ErrQuotaExceeded},
		{t0, 1, nil},
		{t0.Add(11*time.Hour + 59*time.Minute + 59*time.Second + 999*time.Millisecond), 1, ErrQuotaExceeded},
		{t0.Add(12 * time.Hour), 4, ErrQuotaExceeded},
		{t0.Add(12 * time.Hour), 3, nil},
		{t0.Add(13 * time.Hour), 1, ErrQuotaExceeded},
		{t0.Add(72 * time.Hour), 3, nil},
	}
	for i, st := range steps {
		h.now = st.at
		before := contentDigest(h.s)
		err := issue(st.n, "p1")
		if st.want == nil && err != nil || st.want != nil && !errors.Is(err, st.want) {
			t.Fatalf("step %d: error = %v, want %v", i, err, st.want)
		}
		if st.want != nil && contentDigest(h.s) != before {
			t.Fatalf("step %d: a refused issue changed the state", i)
		}
	}
	if err := issue(500, "free"); err != nil {
		t.Fatalf("quota 0 means unlimited: %v", err)
	}
}

func TestCreateProvider(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 10)
	create := func(id, name string, token []byte) error {
		return h.apply(fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER, &fsmpb.CreateProvider{Id: id, Name: name, TokenHash: token}).Err
	}
	wantErr(t, create("p1", "again", hashOf("other").slice()), ErrExists)
	wantErr(t, create("p2", "same token", hashOf("token-p1").slice()), ErrExists)
	wantErr(t, create("", "no id", hashOf("x").slice()), ErrBadCommand)
	wantErr(t, create("p3", "", hashOf("y").slice()), ErrBadCommand)
	wantErr(t, create("p4", "bad token", []byte{1}), ErrBadCommand)
	if len(h.s.Providers()) != 1 {
		t.Fatalf("refused creates added providers: %v", h.s.Providers())
	}
	h.provider("a0", 0)
	ps := h.s.Providers()
	if len(ps) != 2 || ps[0].ID != "a0" || ps[1].ID != "p1" {
		t.Fatalf("Providers = %+v", ps)
	}
	p, err := h.s.ProviderByToken(hashOf("token-p1"))
	if err != nil || p.ID != "p1" || p.QuotaPerDay != 10 || !p.Created.Equal(t0) || p.Name != "Provider p1" {
		t.Fatalf("ProviderByToken = %+v, %v", p, err)
	}
	if _, err := h.s.ProviderByToken(hashOf("nope")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ProviderByToken(unknown) = %v", err)
	}
	if _, err := h.s.Provider("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Provider(unknown) = %v", err)
	}
	h.suspend("p1", true)
	if p, _ := h.s.Provider("p1"); !p.Suspended {
		t.Fatalf("Provider after suspend = %+v", p)
	}
}
