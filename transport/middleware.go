package transport

import (
	"context"
	"net/http"
	"strconv"
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
