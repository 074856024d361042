package transport

import (
	"net/http"
	"strconv"
	"strings"
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

// handleKeys is GET /v1/keys?since=S[&limit=N][&wait=D][&min_index=I]:
// the delta of the public set after seq S from this node's local state,
// with long polling and the min_index wait of spec §2. The query is parsed
// once, without a map.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	q := parseKeysQuery(r.URL.RawQuery)
	if !s.waitMinIndex(w, r, q.minIndex, q.wait) {
		return
	}
	since, err := parseUintParam(q.since, 0)
	if err != nil {
		s.writeError(w, r, badRequest("since must be a non-negative integer"))
		return
	}
	limit := fsm.DefaultDeltaLimit
	if q.limit != "" {
		n, err := strconv.Atoi(q.limit)
		if err != nil || n < 1 || n > fsm.MaxDeltaLimit {
			s.writeError(w, r, badRequest("limit must be 1..%d", fsm.MaxDeltaLimit))
			return
		}
		limit = n
	}
	wait := time.Duration(0)
	if q.minIndex == "" {
		if wait, err = parseWait(q.wait, 0); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if wait > 0 && s.park(w, r, since, limit, wait) {
		return
	}
	e := s.longPoll(r, since, limit, wait)
	writeRenderedAs(w, acceptsGzip(r), e)
}

// renderDelta returns the rendered answer for (since, limit) at the current
// index, from the cache when another request already rendered it.
func (s *Server) renderDelta(since uint64, limit int) *renderedDelta {
	return s.deltas.get(s.state.Index(), deltaKey{since: since, limit: limit}, func() (fsm.Delta, []byte) {
		d := s.state.Delta(since, limit)
		return d, appendDeltaJSON(make([]byte, 0, deltaJSONSize(d)), d)
	})
}

// longPoll returns the answer at once when the delta is not empty, else
// waits for the next applied change (woken by the node's broadcast, not by
// polling) until wait passes. It is the wait of the long polls that are
// not parked (see park).
func (s *Server) longPoll(r *http.Request, since uint64, limit int, wait time.Duration) *renderedDelta {
	var deadline <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		deadline = t.C
		s.metrics.longPolls.Inc()
		defer s.metrics.longPolls.Dec()
	}
	for {
		var changed <-chan struct{}
		if wait > 0 {
			changed = s.store.Changed() // before rendering, so no change is missed
		}
		e := s.renderDelta(since, limit)
		if wait == 0 || !e.empty {
			return e
		}
		select {
		case <-changed:
		case <-deadline:
			return s.renderDelta(since, limit)
		case <-r.Context().Done():
			return e
		}
	}
}

// writeRenderedAs writes a rendered JSON answer, gzip-compressed when the
// client accepts it (acceptsGzip) and the body is worth compressing. The
// header values are shared ones (see headerJSON), not built per request.
// Parked answers are written by it too, so both paths send the same bytes.
func writeRenderedAs(w http.ResponseWriter, gzipOK bool, e *renderedDelta) {
	h := w.Header()
	h["Content-Type"] = headerJSON
	addVary(h)
	body, length := e.plain, e.plainLength
	if len(body) >= minGzipBytes && gzipOK {
		body, length = e.gzipped()
		h["Content-Encoding"] = headerGzip
	}
	h["Content-Length"] = length
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// acceptsGzip reports whether Accept-Encoding allows gzip: the first
// coding named gzip decides, refused only by q=0 (not q=0.x).
func acceptsGzip(r *http.Request) bool {
	rest := r.Header.Get("Accept-Encoding")
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") || strings.Contains(params, "q=0.")
		}
	}
	return false
}

func parseUintParam(v string, def uint64) (uint64, error) {
	if v == "" {
		return def, nil
	}
	return strconv.ParseUint(v, 10, 64)
}
