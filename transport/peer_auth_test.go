package transport

import (
	"net/http/httptest"
	"testing"

	"github.com/tekstore/tekstore/secrets"
)

// TestClientNetwork checks that IPv6 clients share one budget per /64 and
// IPv4 (also 4-in-6) clients have one each.
func TestClientNetwork(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
		"not an address":       "not an address",
	} {
		if got := clientNetwork(in); got != want {
			t.Errorf("clientNetwork(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPeerProof checks that only the cluster's own proof exempts a request
// from per-client budgets, and that with RequirePeerCert a proof without a
// verified client certificate is not enough.
func TestPeerProof(t *testing.T) {
	p := secrets.DerivePepper("tka_cluster")
	s := &Server{peerProof: peerProof(p)}
	r := httptest.NewRequest("POST", "/v1/publish", nil)
	if s.fromPeer(r) {
		t.Fatal("a request without proof counted as a peer")
	}
	r.Header.Set(headerPeerAuth, peerProof(secrets.DerivePepper("tka_other")))
	if s.fromPeer(r) {
		t.Fatal("another cluster's proof was accepted")
	}
	r.Header.Set(headerPeerAuth, peerProof(p))
	if !s.fromPeer(r) {
		t.Fatal("the cluster's own proof was refused")
	}
	s.cfg.RequirePeerCert = true
	if s.fromPeer(r) {
		t.Fatal("a proof without a cluster certificate passed with RequirePeerCert")
	}
}
