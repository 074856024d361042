package transport

import (
	"net/http"
	"strings"
	"testing"
)

// peerMap is a PeerDirectory of fixed URLs.
type peerMap map[string]string

func (p peerMap) HTTPURL(id string) (string, bool) {
	u, ok := p[id]
	return u, ok
}

// newFollower starts an API on a non-leader "n2" whose leader is n1 at
// leaderURL.
func newFollower(t *testing.T, leaderURL string) *testEnv {
	t.Helper()
	st := newFakeStore(t, "n2")
	st.IsLeaderFunc = func() bool { return false }
	st.LeaderFunc = func() (string, string, bool) { return "n1", "127.0.0.1:7001", true }
	return newEnvOn(t, st, func(c *Config) { c.Peers = peerMap{"n1": leaderURL} })
}

// TestFollowerForwardsWrites: a write sent to a follower is committed by
// the leader and the leader's answer is relayed; the follower itself
// proposes nothing.
func TestFollowerForwardsWrites(t *testing.T) {
	leader := newEnv(t)
	f := newFollower(t, leader.srv.URL)
	r := f.do(req{method: "POST", path: "/v1/providers", body: `{"name":"GGD Utrecht"}`, token: testAdminToken})
	r.wantStatus(t, http.StatusCreated)
	f.wantNodeHeaders(r)
	var p struct{ ID, Token string }
	r.decode(t, &p)
	got, err := leader.store.state.Provider(p.ID)
	if err != nil || got.Name != "GGD Utrecht" {
		t.Fatalf("leader state: %+v, %v", got, err)
	}
	if f.store.proposed.Load() != 0 || leader.store.proposed.Load() != 1 {
		t.Fatalf("proposals: follower %d, leader %d", f.store.proposed.Load(), leader.store.proposed.Load())
	}
	if h := r.header.Get("X-Tekstore-Leader"); h != "n1" {
		t.Fatalf("X-Tekstore-Leader = %q", h)
	}
	// The leader's refusals come back unchanged, in the error shape.
	r = f.do(req{method: "POST", path: "/v1/providers", body: `{"name":"x"}`, token: "tka_wrong"})
	r.wantStatus(t, http.StatusUnauthorized)
	if d := errorOf(t, r); d.Code != codeUnauthn {
		t.Fatalf("code %q", d.Code)
	}
}

// TestFollowerRedirectsOnRequest: with ?redirect=true a follower answers
// 307 with the leader's URL and keeps the path and query.
func TestFollowerRedirectsOnRequest(t *testing.T) {
	leader := newEnv(t)
	f := newFollower(t, leader.srv.URL)
	r := f.do(req{method: "POST", path: "/v1/providers?redirect=true", body: `{"name":"GGD"}`, token: testAdminToken})
	r.wantStatus(t, http.StatusTemporaryRedirect)
	f.wantNodeHeaders(r)
	if loc, want := r.header.Get("Location"), leader.srv.URL+"/v1/providers?redirect=true"; loc != want {
		t.Fatalf("Location = %q, want %q", loc, want)
	}
	if leader.store.proposed.Load() != 0 || f.store.proposed.Load() != 0 {
		t.Fatal("a redirect committed something")
	}
}

// TestForwardedRequestAtNonLeader: a forwarded request that reaches a node
// that is not the leader (leadership moved) is refused with no_leader, not
// forwarded again, so requests never loop.
func TestForwardedRequestAtNonLeader(t *testing.T) {
	leader := newEnv(t)
	f := newFollower(t, leader.srv.URL)
	r := f.do(req{method: "POST", path: "/v1/providers", body: `{"name":"GGD"}`, token: testAdminToken,
		headers: map[string]string{headerForwardedBy: "n3"}})
	r.wantStatus(t, http.StatusServiceUnavailable)
	if d := errorOf(t, r); d.Code != codeNoLeader || r.header.Get("Retry-After") == "" {
		t.Fatalf("code %q, Retry-After %q", d.Code, r.header.Get("Retry-After"))
	}
	if leader.store.proposed.Load() != 0 {
		t.Fatal("forwarded twice")
	}
}

// TestForwardToUnreachableLeader: a leader that cannot be reached gives 503
// unavailable with Retry-After.
func TestForwardToUnreachableLeader(t *testing.T) {
	gone := newEnv(t)
	url := gone.srv.URL
	gone.srv.Close()
	f := newFollower(t, url)
	r := f.do(req{method: "POST", path: "/v1/providers", body: `{"name":"GGD"}`, token: testAdminToken})
	r.wantStatus(t, http.StatusServiceUnavailable)
	d := errorOf(t, r)
	if d.Code != codeUnavailable || r.header.Get("Retry-After") == "" || strings.Contains(d.Message, url) {
		t.Fatalf("code %q message %q Retry-After %q", d.Code, d.Message, r.header.Get("Retry-After"))
	}
}
