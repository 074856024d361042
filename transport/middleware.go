package transport

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// statusWriter sets X-Tekstore-Index when the header is written (so it is
// the index the answer reflects) and records the status and the matched
// route for metrics.
type statusWriter struct {
	http.ResponseWriter
	s      *Server
	status int
	// route is the matched route's name ("" until a route matched).
	route string
	// start is when the request arrived; adm is what admit took for it.
	start time.Time
	adm   admission
	// parked means a parked long poll took over the request: its waiter
	// releases the admission and records the metrics at the answer.
	parked bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.s.setIndexHeader(w.Header())
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

// setRoute records the matched route's name on the request's statusWriter.
func setRoute(w http.ResponseWriter, name string) {
	if sw, ok := w.(*statusWriter); ok {
		sw.route = name
	}
}

// withCommon adds the node headers, recovers panics as 500s and records
// request metrics. It logs no client addresses.
func (s *Server) withCommon(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, s: s, start: start}
		w.Header()[headerNode] = s.nodeHeader
		adm, err := s.admit(r, start)
		if err != nil {
			s.writeError(sw, r, err)
			s.metrics.observe(sw.route, sw.status, time.Since(start))
			return
		}
		sw.adm = adm
		defer func() {
			if !sw.parked {
				adm.release()
			}
		}()
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
			if !sw.parked {
				s.metrics.observe(sw.route, sw.status, time.Since(start))
			}
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
		if s.waitMinIndex(w, r, q.Get("min_index"), q.Get("wait")) {
			next(w, r)
		}
	}
}

// waitMinIndex waits until the node has applied min_index (at most wait);
// it reports false when it has answered the request with an error. An
// empty minIndex does not wait.
func (s *Server) waitMinIndex(w http.ResponseWriter, r *http.Request, minIndex, wait string) bool {
	if minIndex == "" {
		return true
	}
	idx, err := strconv.ParseUint(minIndex, 10, 64)
	if err != nil {
		s.writeError(w, r, badRequest("min_index must be a non-negative integer"))
		return false
	}
	d, err := parseWait(wait, defaultWait)
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	ctx, cancel := context.WithTimeout(r.Context(), d)
	defer cancel()
	if err := s.store.WaitForApplied(ctx, idx); err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
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

// admission is what admit took for a request: a slot, and for a long poll
// one of its client's long-poll places. It is a value (no closure to
// allocate per request).
type admission struct {
	g        *guards
	slots    chan struct{}
	longPoll bool
	client   clientKey
}

// release gives back what admit took.
func (a admission) release() {
	if a.longPoll {
		a.g.longPolls.release(a.client)
	}
	<-a.slots
}

// admit applies the node-wide and per-client budgets before any handler
// work: concurrent requests and long polls, uploads and reads per client
// address, and calls per token. now is the request's start. The caller
// must release the admission when the request is done.
func (s *Server) admit(r *http.Request, now time.Time) (admission, error) {
	g := s.guards
	longPoll := isLongPoll(r)
	adm := admission{g: g, slots: g.inFlight}
	if longPoll {
		adm.slots = g.polling
	}
	select {
	case adm.slots <- struct{}{}:
	default:
		s.metrics.shed.Inc()
		return admission{}, errOverloaded
	}
	if s.fromPeer(r) {
		// A node relaying what it already admitted: its clients were
		// counted there, and the relay must not spend a shared budget.
		return adm, nil
	}
	var budget *limiterSet
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v1/publish"):
		budget = g.publish
	case r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/metrics"):
		budget = g.reads
	}
	var client clientKey // only hashed when a budget needs it
	if longPoll || (budget != nil && budget.limited()) {
		client = g.clientKey(r)
	}
	ok, wait := true, time.Duration(0)
	if budget != nil {
		ok, wait = budget.allowAt(client, now)
	}
	if auth := r.Header.Get("Authorization"); ok && auth != "" {
		ok, wait = g.tokens.allowAt(g.keyOf(auth), now)
	}
	if ok && longPoll {
		if ok = g.longPolls.acquire(client, g.cfg.LongPollsPerClient); ok {
			adm.longPoll, adm.client = true, client
		} else {
			wait = time.Second
		}
	}
	if !ok {
		adm.release()
		s.metrics.limited.Inc()
		return admission{}, rateLimited(wait)
	}
	return adm, nil
}
