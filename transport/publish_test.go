package transport

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestPublishRetryIsIdempotent: the same code with the same keys again is
// answered with the identical body from local state, in any key order,
// without a proposal; other keys get code_used.
func TestPublishRetryIsIdempotent(t *testing.T) {
	e := newEnv(t)
	e.provider("p_a", 0)
	code := e.code("p_a", time.Hour)
	keys := pastKeys(t, 5)
	first, r1 := e.publish(code, keys)
	if first.Inserted != 5 || !strings.HasPrefix(first.Submission, "s_") || first.RevisionToken == "" || first.Seq == 0 {
		t.Fatalf("first answer %+v", first)
	}
	digest, proposed := e.store.state.Digest(), e.store.proposed.Load()

	reversed := append([]jsonKey(nil), keys...)
	for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
		reversed[i], reversed[j] = reversed[j], reversed[i]
	}
	for name, ks := range map[string][]jsonKey{"same order": keys, "reversed": reversed} {
		_, r2 := e.publish(strings.ToLower(strings.ReplaceAll(code, "-", " ")), ks)
		if !bytes.Equal(r1.body, r2.body) {
			t.Fatalf("%s: retry body %s, want %s", name, r2.body, r1.body)
		}
	}
	if e.store.proposed.Load() != proposed || e.store.state.Digest() != digest {
		t.Fatal("a retry reached the log")
	}

	other := append([]jsonKey(nil), keys[:4]...)
	r := e.do(req{method: "POST", path: "/v1/publish", body: publishBody(t, code, other)})
	r.wantStatus(t, http.StatusConflict)
	if d := errorOf(t, r); d.Code != codeCodeUsed {
		t.Fatalf("code = %q", d.Code)
	}
}

// TestPublishRevokeByToken: the app's de-registration removes its keys and
// is idempotent.
func TestPublishRevokeByToken(t *testing.T) {
	e := newEnv(t)
	e.provider("p_a", 0)
	pub, _ := e.publish(e.code("p_a", time.Hour), pastKeys(t, 3))
	body := jsonBody(t, map[string]string{"revisionToken": pub.RevisionToken})
	r1 := e.do(req{method: "POST", path: "/v1/publish/revoke", body: body})
	r1.wantStatus(t, http.StatusOK)
	var out revokeResponse
	r1.decode(t, &out)
	if out.Submission != pub.Submission || out.Revoked != 3 || out.Seq <= pub.Seq {
		t.Fatalf("revoke answer %+v after publish %+v", out, pub)
	}
	proposed := e.store.proposed.Load()
	r2 := e.do(req{method: "POST", path: "/v1/publish/revoke", body: body})
	r2.wantStatus(t, http.StatusOK)
	if !bytes.Equal(r1.body, r2.body) || e.store.proposed.Load() != proposed {
		t.Fatalf("second revoke %s (proposed again: %v), want %s", r2.body, e.store.proposed.Load() != proposed, r1.body)
	}
	var d keysResponse
	e.do(req{method: "GET", path: "/v1/keys?since=0"}).decode(t, &d)
	if len(d.Keys) != 0 {
		t.Fatalf("revoked keys still public: %d", len(d.Keys))
	}
}

// TestChaff: a decoy upload gets the shape of a real answer and touches
// nothing: no proposal, no state change, any body within the size limit.
func TestChaff(t *testing.T) {
	e := newEnv(t)
	e.provider("p_a", 0)
	first, _ := e.publish(e.code("p_a", time.Hour), pastKeys(t, 2))
	_, realResp := e.publish(e.code("p_a", time.Hour), pastKeys(t, 2))
	digest, proposed := e.store.state.Digest(), e.store.proposed.Load()

	for name, body := range map[string]string{
		"valid-looking": publishBody(t, "K7Q2-9XMD-3HPA-W4ZR", pastKeys(t, 14)),
		"garbage":       "not json at all",
		"empty":         "",
	} {
		r := e.do(req{method: "POST", path: "/v1/publish", body: body, headers: map[string]string{"X-Chaff": "1"}})
		r.wantStatus(t, http.StatusOK)
		e.wantNodeHeaders(r)
		if got, want := jsonFields(t, r.body), jsonFields(t, realResp.body); got != want {
			t.Fatalf("%s: chaff fields %s, real %s", name, got, want)
		}
		var c publishResponse
		r.decode(t, &c)
		if !strings.HasPrefix(c.Submission, "s_") || len(c.Submission) != len(first.Submission) ||
			len(c.RevisionToken) != len(first.RevisionToken) || c.Inserted < 1 || c.Seq == 0 {
			t.Fatalf("%s: chaff answer %+v does not look like %+v", name, c, first)
		}
		if _, err := e.store.state.Submission(c.Submission); err == nil {
			t.Fatalf("%s: chaff made a submission", name)
		}
	}
	if e.store.proposed.Load() != proposed {
		t.Fatal("chaff reached Propose")
	}
	if e.store.state.Digest() != digest {
		t.Fatal("chaff changed the state")
	}
}

// jsonFields lists an object's field names and JSON kinds, sorted.
func jsonFields(t *testing.T, body []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	var out []string
	for k, v := range m {
		kind := "other"
		switch v.(type) {
		case string:
			kind = "string"
		case float64:
			kind = "number"
		}
		out = append(out, k+":"+kind)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestProviderFlow drives the portal calls through HTTP: issue codes,
// publish, list and read own submissions, roll back, suspend.
func TestProviderFlow(t *testing.T) {
	e := newEnv(t)
	r := e.do(req{method: "POST", path: "/v1/providers", body: `{"name":"GGD Amsterdam","quotaPerDay":50}`, token: testAdminToken})
	r.wantStatus(t, http.StatusCreated)
	var p struct{ ID, Token string }
	r.decode(t, &p)
	if !strings.HasPrefix(p.ID, "p_") || !strings.HasPrefix(p.Token, "tkp_") {
		t.Fatalf("provider answer %s", r.body)
	}

	r = e.do(req{method: "POST", path: "/v1/authorizations", body: `{"count":2,"ttl":"48h","reportType":"clinical"}`, token: p.Token})
	r.wantStatus(t, http.StatusCreated)
	var issued authorizationsResponse
	r.decode(t, &issued)
	if len(issued.Codes) != 2 {
		t.Fatalf("issued %s", r.body)
	}
	exp, err := time.Parse(time.RFC3339, issued.Codes[0].ExpiresAt)
	if err != nil || exp.Before(time.Now().Add(47*time.Hour)) || exp.After(time.Now().Add(49*time.Hour)) {
		t.Fatalf("expiresAt %q", issued.Codes[0].ExpiresAt)
	}

	pub, _ := e.publish(issued.Codes[0].Code, pastKeys(t, 3))
	var list struct{ Submissions []submissionOut }
	e.do(req{method: "GET", path: "/v1/submissions", token: p.Token}).decode(t, &list)
	if len(list.Submissions) != 1 || list.Submissions[0].ID != pub.Submission || list.Submissions[0].State != "active" {
		t.Fatalf("submissions %+v", list)
	}
	if got := list.Submissions[0].Keys[0].ReportType; got != "clinical" {
		t.Fatalf("reportType %q, want the code's clinical", got)
	}

	r = e.do(req{method: "POST", path: "/v1/submissions/" + pub.Submission + "/rollback", body: `{"reason":"lab mix-up"}`, token: p.Token})
	r.wantStatus(t, http.StatusOK)
	var rb revokeResponse
	r.decode(t, &rb)
	if rb.Revoked != 3 || rb.Submission != pub.Submission {
		t.Fatalf("rollback %s", r.body)
	}
	var sub submissionOut
	e.do(req{method: "GET", path: "/v1/submissions/" + pub.Submission, token: testAdminToken}).decode(t, &sub)
	if sub.State != "rolled_back" || sub.Reason != "lab mix-up" {
		t.Fatalf("after rollback %+v", sub)
	}

	e.do(req{method: "POST", path: "/v1/providers/" + p.ID + "/suspend", token: testAdminToken}).wantStatus(t, http.StatusOK)
	r = e.do(req{method: "POST", path: "/v1/publish", body: publishBody(t, issued.Codes[1].Code, pastKeys(t, 1))})
	r.wantStatus(t, http.StatusForbidden)
	if d := errorOf(t, r); d.Code != codeCodeInvalid {
		t.Fatalf("suspended provider's code: %q", d.Code)
	}
	e.do(req{method: "POST", path: "/v1/providers/" + p.ID + "/resume", token: testAdminToken}).wantStatus(t, http.StatusOK)
	e.publish(issued.Codes[1].Code, pastKeys(t, 1))
}
