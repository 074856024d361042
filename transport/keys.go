package transport

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tekstore/tekstore/fsm"
)

type keysResponse struct {
	Since   uint64   `json:"since"`
	Until   uint64   `json:"until"`
	Reset   bool     `json:"reset"`
	More    bool     `json:"more"`
	Keys    []keyOut `json:"keys"`
	Revoked []keyRef `json:"revoked"`
}

// handleKeys is GET /v1/keys?since=S[&limit=N][&wait=D]: the delta of the
// public set after seq S from this node's local state, with long polling.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, err := parseUintParam(q.Get("since"), 0)
	if err != nil {
		s.writeError(w, r, badRequest("since must be a non-negative integer"))
		return
	}
	limit := fsm.DefaultDeltaLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > fsm.MaxDeltaLimit {
			s.writeError(w, r, badRequest("limit must be 1..%d", fsm.MaxDeltaLimit))
			return
		}
		limit = n
	}
	wait := time.Duration(0)
	if q.Get("min_index") == "" {
		if wait, err = parseWait(q.Get("wait"), 0); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	d := s.longPoll(r, since, limit, wait)
	writeJSON(w, http.StatusOK, keysResponse{
		Since: d.Since, Until: d.Until, Reset: d.Reset, More: d.More,
		Keys: toKeysOut(d.Keys), Revoked: toRefsOut(d.Revoked),
	})
}

// longPoll returns the delta at once when it is not empty, else waits for
// the next applied change (woken by the node's broadcast) until wait passes.
func (s *Server) longPoll(r *http.Request, since uint64, limit int, wait time.Duration) fsm.Delta {
	var deadline <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		deadline = t.C
		s.metrics.longPolls.Inc()
		defer s.metrics.longPolls.Dec()
	}
	for {
		changed := s.store.Changed()
		d := s.state.Delta(since, limit)
		if wait == 0 || d.Reset || len(d.Keys) > 0 || len(d.Revoked) > 0 {
			return d
		}
		select {
		case <-changed:
		case <-deadline:
			return s.state.Delta(since, limit)
		case <-r.Context().Done():
			return d
		}
	}
}

func parseUintParam(v string, def uint64) (uint64, error) {
	if v == "" {
		return def, nil
	}
	return strconv.ParseUint(v, 10, 64)
}
