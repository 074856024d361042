package transport

import (
	"net/http"
)

// handleHealthz answers while the process is up.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "node": s.store.ID()})
}

// handleReadyz answers 200 when a leader is known and this node has applied
// what it knows to be committed; 503 otherwise.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	id, _, ok := s.store.Leader()
	if !ok {
		s.writeError(w, r, &apiError{status: 503, code: codeNoLeader, msg: "no leader known", retryAfter: 1})
		return
	}
	if rd, isReady := s.store.(interface{ CaughtUp() bool }); isReady && !rd.CaughtUp() {
		s.writeError(w, r, &apiError{status: 503, code: codeNotCaughtUp, msg: "still catching up with the leader", retryAfter: 1})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "node": s.store.ID(), "leader": id, "appliedIndex": s.store.AppliedIndex()})
}
