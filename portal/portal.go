package portal

import (
	"bytes"
	"net/http"
	"time"

	"github.com/gorilla/mux"
)

// Paths of the portal.
const (
	// Path is where the portal's page is served; its files live below it.
	Path = "/portal/"
	// barePath redirects to Path so that the page's relative links resolve.
	barePath = "/portal"
)

// assets is the embedded portal, loaded once.
var assets = mustLoadAssets()

// Routes adds the portal's routes to r: GET/HEAD /portal (a redirect to
// /portal/), /portal/ (the page) and /portal/NAME (its files). Unknown names
// and other methods get r's NotFoundHandler and MethodNotAllowedHandler
// answers, with the portal's security headers.
func Routes(r *mux.Router) {
	h := &handler{router: r}
	r.HandleFunc(barePath, h.redirect).Name("portal_redirect")
	r.HandleFunc(Path, h.index).Name("portal")
	r.HandleFunc(Path+"{file}", h.file).Name("portal_asset")
	r.PathPrefix(Path).HandlerFunc(h.other).Name("portal_other")
}

// handler serves the embedded files.
type handler struct {
	router *mux.Router
}

func (h *handler) redirect(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(w, r) {
		return
	}
	http.Redirect(w, r, Path, http.StatusMovedPermanently)
}

func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(w, r) {
		return
	}
	serve(w, r, assets[indexName])
}

func (h *handler) file(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(w, r) {
		return
	}
	a, ok := assets[mux.Vars(r)["file"]]
	if !ok {
		h.notFound(w, r)
		return
	}
	serve(w, r, a)
}

// other answers deeper paths below /portal/: the portal has no folders.
func (h *handler) other(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	h.notFound(w, r)
}

// notFound answers with the router's 404 (the API's error shape).
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	nf := h.router.NotFoundHandler
	if nf == nil {
		nf = http.NotFoundHandler()
	}
	nf.ServeHTTP(w, r)
}

// allowed sets the security headers and answers 405 to anything but GET and
// HEAD; it reports whether the request may go on.
func (h *handler) allowed(w http.ResponseWriter, r *http.Request) bool {
	setSecurityHeaders(w.Header())
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	if na := h.router.MethodNotAllowedHandler; na != nil {
		na.ServeHTTP(w, r)
	} else {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
	return false
}

// serve writes one asset. The files change only with the binary, so clients
// revalidate each time (no-cache) and get 304 through the ETag.
func serve(w http.ResponseWriter, r *http.Request, a asset) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
}
