package transport

import (
	"net/http"
	"testing"
	"time"
)

// TestEveryAnswerHasNodeHeaders checks X-Tekstore-Node and
// X-Tekstore-Index on successful answers of every kind: JSON, long-poll
// capable reads, the Prometheus text and the probes.
func TestEveryAnswerHasNodeHeaders(t *testing.T) {
	e := newEnv(t)
	tok := e.provider("p_a", 0)
	code := e.code("p_a", time.Hour)
	cases := []struct {
		req    req
		status int
	}{
		{req{method: "GET", path: "/healthz"}, http.StatusOK},
		{req{method: "GET", path: "/readyz"}, http.StatusOK},
		{req{method: "GET", path: "/metrics"}, http.StatusOK},
		{req{method: "GET", path: "/v1/keys?since=0"}, http.StatusOK},
		{req{method: "GET", path: "/v1/keys?since=0&min_index=1"}, http.StatusOK},
		{req{method: "GET", path: "/v1/providers", token: testAdminToken}, http.StatusOK},
		{req{method: "GET", path: "/v1/submissions", token: tok}, http.StatusOK},
		{req{method: "POST", path: "/v1/authorizations", body: `{"count":1}`, token: tok}, http.StatusCreated},
		{req{method: "POST", path: "/v1/publish", body: publishBody(t, code, pastKeys(t, 1))}, http.StatusOK},
		{req{method: "GET", path: "/v1/checkpoints"}, http.StatusOK},
	}
	for _, tc := range cases {
		r := e.do(tc.req)
		if r.status != tc.status {
			t.Fatalf("%s: status %d, want %d: %s", describe(tc.req), r.status, tc.status, r.body)
		}
		e.wantNodeHeaders(r)
	}
	r := e.do(req{method: "GET", path: "/v1/keys?since=0"})
	if got, want := r.header.Get("X-Tekstore-Index"), uintString(e.store.AppliedIndex()); got != want {
		t.Fatalf("X-Tekstore-Index = %s, want the applied index %s", got, want)
	}
}
