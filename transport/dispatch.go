package transport

import (
	"net/http"

	"github.com/gorilla/mux"
)

// The hot read route. Its path is static, so it is matched without the
// router (no regular expressions, no request copies for mux variables).
const (
	keysPath     = "/v1/keys"
	routeKeys    = "keys"
	routeUnknown = "unknown"
)

// dispatch sends GET /v1/keys straight to its handler and every other
// request through the mux router. The shortcut gives the answer the router
// would: /v1/keys is registered before any other route that could match
// it, for GET only, and the router matches the encoded path exactly
// (UseEncodedPath, SkipClean), which is Path when RawPath is empty. The
// router's middleware (nameRoute) is reproduced by setRoute.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.RawPath == "" && r.URL.Path == keysPath {
		setRoute(w, routeKeys)
		s.handleKeys(w, r)
		return
	}
	s.router.ServeHTTP(w, r)
}

// nameRoute is the router's middleware: it records the matched route's
// name for metrics and logs.
func nameRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt := mux.CurrentRoute(r); rt != nil {
			setRoute(w, rt.GetName())
		}
		next.ServeHTTP(w, r)
	})
}
