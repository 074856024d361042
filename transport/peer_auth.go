package transport

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/tekstore/tekstore/secrets"
)

// headerPeerAuth proves that a request comes from another node of the
// cluster (which applied the per-client budgets already). Its value is an
// HMAC of a fixed label under the key derived from the cluster's shared
// admin token, so only holders of that token can make it.
const headerPeerAuth = "X-Tekstore-Peer-Auth"

// peerProof returns the header value this cluster's nodes send.
func peerProof(p secrets.Pepper) string {
	m := hmac.New(sha256.New, p[:])
	m.Write([]byte("tekstore/peer-auth/v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// fromPeer reports whether r carries a valid peer proof (and, when the
// cluster uses mutual TLS on HTTPS, a verified cluster certificate).
func (s *Server) fromPeer(r *http.Request) bool {
	v := r.Header.Get(headerPeerAuth)
	if v == "" || !secrets.Equal([]byte(v), []byte(s.peerProof)) {
		return false
	}
	return !s.cfg.RequirePeerCert || hasPeerCert(r)
}

// hasPeerCert reports whether the TLS client presented a certificate that
// verified against the cluster CA.
func hasPeerCert(r *http.Request) bool {
	return r.TLS != nil && len(r.TLS.VerifiedChains) > 0
}

// markPeer adds the peer proof to a request this node sends to another node.
func (s *Server) markPeer(req *http.Request) {
	req.Header.Set(headerPeerAuth, s.peerProof)
	req.Header.Set(headerForwardedBy, s.store.ID())
}
