package transport

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// statusWriter sets X-Tekstore-Index when the header is written (so it is
// the index the answer reflects) and records the status for metrics.
type statusWriter struct {
	http.ResponseWriter
	s      *Server
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.Header().Set("X-Tekstore-Index", strconv.FormatUint(w.s.store.AppliedIndex(), 10))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets long answers stream.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withCommon adds the node headers, recovers panics as 500s and records
// request metrics. It logs no client addresses.
func (s *Server) withCommon(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, s: s}
		sw.Header().Set("X-Tekstore-Node", s.store.ID())
		release, err := s.admit(r)
		if err != nil {
			s.writeError(sw, r, err)
			s.metrics.observe(r, sw.status, time.Since(start))
			return
		}
		defer release()
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error().Interface("panic", p).Str("path", r.URL.Path).Msg("handler panic")
				if sw.status == 0 {
					writeJSON(sw, 500, errorBody{Error: errorDetail{Code: codeInternal, Message: "internal error"}})
				}
			}
			s.metrics.observe(r, sw.status, time.Since(start))
		}()
		next.ServeHTTP(sw, r)
	})
}

// read wraps a read endpoint with the min_index wait of spec §2.
func (s *Server) read(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.RawQuery, "min_index") {
			next(w, r)
			return
		}
		q := r.URL.Query()
		mi := q.Get("min_index")
		if mi == "" {
			next(w, r)
			return
		}
		idx, err := strconv.ParseUint(mi, 10, 64)
		if err != nil {
			s.writeError(w, r, badRequest("min_index must be a non-negative integer"))
			return
		}
		wait, err := parseWait(q.Get("wait"), defaultWait)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		defer cancel()
		if err := s.store.WaitForApplied(ctx, idx); err != nil {
			s.writeError(w, r, err)
			return
		}
		next(w, r)
	}
}

// parseWait reads a wait duration: Go syntax ("30s") or whole seconds.
func parseWait(v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		n, nerr := strconv.ParseUint(v, 10, 32)
		if nerr != nil {
			return 0, badRequest("wait must be a duration such as 30s")
		}
		d = time.Duration(n) * time.Second
	}
	if d < 0 || d > maxWait {
		return 0, badRequest("wait must be between 0 and 60s")
	}
	return d, nil
}

// isLongPoll reports whether a request may wait (wait= or min_index=). It
// looks at the raw query (parsing it is the handler's job, once): a false
// positive only moves a request to the long-poll slots.
func isLongPoll(r *http.Request) bool {
	q := r.URL.RawQuery
	return r.Method == http.MethodGet && (strings.Contains(q, "wait=") || strings.Contains(q, "min_index="))
}

// admit applies the node-wide and per-client budgets before any handler
// work: concurrent requests and long polls, uploads and reads per client
// address, and calls per token. It returns the release function.
func (s *Server) admit(r *http.Request) (func(), error) {
	g := s.guards
	longPoll := isLongPoll(r)
	slots := g.inFlight
	if longPoll {
		slots = g.polling
	}
	select {
	case slots <- struct{}{}:
	default:
		s.metrics.shed.Inc()
		return nil, errOverloaded
	}
	release := func() { <-slots }
	if s.fromPeer(r) {
		// A node relaying what it already admitted: its clients were
		// counted there, and the relay must not spend a shared budget.
		return release, nil
	}
	client := g.keyOf(g.clientAddr(r))
	var ok bool
	var wait time.Duration
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/publish"):
		ok, wait = g.publish.allow(client)
	case r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/metrics"):
		ok, wait = g.reads.allow(client)
	default:
		ok = true
	}
	if ok && r.Header.Get("Authorization") != "" {
		ok, wait = g.tokens.allow(g.keyOf(r.Header.Get("Authorization")))
	}
	if ok && longPoll {
		if ok = g.longPolls.acquire(client, g.cfg.LongPollsPerClient); ok {
			prev := release
			release = func() { g.longPolls.release(client); prev() }
		} else {
			wait = time.Second
		}
	}
	if !ok {
		release()
		s.metrics.limited.Inc()
		return nil, rateLimited(wait)
	}
	return release, nil
}
