package transport

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

// Headers used between nodes.
const (
	headerForwardedBy = "X-Tekstore-Forwarded-By"
)

// forwardedHeaders are copied from the client's request to the leader.
var forwardedHeaders = []string{"Authorization", "Content-Type", "Accept", "X-Chaff"}

// leaderOrForward decides where a write runs. It returns true when this
// node is the leader and the caller should propose; otherwise it has already
// answered: forwarded to the leader (its answer relayed), 307 to the leader
// with ?redirect=true, or 503 no_leader.
func (s *Server) leaderOrForward(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if s.store.IsLeader() {
		return true
	}
	id, _, ok := s.store.Leader()
	var url string
	if ok && s.cfg.Peers != nil {
		url, ok = s.cfg.Peers.HTTPURL(id)
	} else {
		ok = false
	}
	if !ok || r.Header.Get(headerForwardedBy) != "" {
		// Unknown leader, or a forwarded request reached a non-leader: the
		// leadership moved; the client retries.
		s.writeError(w, r, &apiError{status: 503, code: codeNoLeader, msg: "the cluster has no leader right now", retryAfter: 1})
		return false
	}
	target := strings.TrimRight(url, "/") + r.URL.RequestURI()
	if r.URL.Query().Get("redirect") == "true" {
		w.Header().Set("Location", target)
		writeJSON(w, http.StatusTemporaryRedirect, map[string]string{"leader": id, "location": target})
		return false
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, target, bytes.NewReader(body))
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	for _, h := range forwardedHeaders {
		if v := r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	s.markPeer(req)
	resp, err := s.fwd.Do(req)
	if err != nil {
		s.log.Warn().Err(err).Str("leader", id).Msg("forward to leader failed")
		s.writeError(w, r, &apiError{status: 503, code: codeUnavailable, msg: "the leader could not be reached; retry", retryAfter: 1})
		return false
	}
	defer resp.Body.Close()
	for _, h := range []string{"Content-Type", "Retry-After", "Location", "X-Tekstore-Leader-Index"} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.Header().Set("X-Tekstore-Leader", id)
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
	return false
}
