package transport

import (
	"net/http"
	"net/http/pprof"

	"github.com/gorilla/mux"
)

// pprofRoutes serves Go's profiler under /debug/pprof/, admin token only:
// profiles reveal internals and cost CPU, so they are never public.
func (s *Server) pprofRoutes(r *mux.Router) {
	r.HandleFunc("/debug/pprof/profile", s.admin(pprof.Profile)).Methods(http.MethodGet).Name("pprof_profile")
	r.HandleFunc("/debug/pprof/trace", s.admin(pprof.Trace)).Methods(http.MethodGet).Name("pprof_trace")
	r.HandleFunc("/debug/pprof/symbol", s.admin(pprof.Symbol)).Methods(http.MethodGet).Name("pprof_symbol")
	r.HandleFunc("/debug/pprof/{profile}", s.admin(func(w http.ResponseWriter, r *http.Request) {
		pprof.Handler(mux.Vars(r)["profile"]).ServeHTTP(w, r)
	})).Methods(http.MethodGet).Name("pprof_named")
}
