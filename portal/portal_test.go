package portal

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// newRouter builds a router configured like transport's (no path cleaning,
// encoded paths, JSON-ish 404 and 405 handlers) with the portal on it.
func newRouter() *mux.Router {
	r := mux.NewRouter()
	r.SkipClean(true)
	r.UseEncodedPath()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"no such endpoint"}}`))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusMethodNotAllowed)
	})
	Routes(r)
	return r
}

func do(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": ContentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

func TestPortalRoutes(t *testing.T) {
	h := newRouter()
	tests := []struct {
		method, path string
		status       int
		ctype        string
		location     string
	}{
		{"GET", "/portal/", 200, "text/html; charset=utf-8", ""},
		{"GET", "/portal/index.html", 200, "text/html; charset=utf-8", ""},
		{"GET", "/portal/app.js", 200, "text/javascript; charset=utf-8", ""},
		{"GET", "/portal/portal.css", 200, "text/css; charset=utf-8", ""},
		{"GET", "/portal/favicon.svg", 200, "image/svg+xml", ""},
		{"HEAD", "/portal/api.js", 200, "text/javascript; charset=utf-8", ""},
		{"GET", "/portal", 301, "", "/portal/"},
		{"GET", "/portal/missing.js", 404, "application/json", ""},
		{"GET", "/portal/..%2fapp.js", 404, "application/json", ""},
		{"GET", "/portal/%2e%2e", 404, "application/json", ""},
		{"GET", "/portal/app.js%00", 404, "application/json", ""},
		{"GET", "/portal/assets/app.js", 404, "application/json", ""},
		{"POST", "/portal/", 405, "", ""},
		{"DELETE", "/portal/app.js", 405, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := do(t, h, tt.method, tt.path, nil)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			checkSecurityHeaders(t, tt.path, rec.Header())
			if tt.ctype != "" {
				if got := rec.Header().Get("Content-Type"); got != tt.ctype {
					t.Errorf("Content-Type = %q, want %q", got, tt.ctype)
				}
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
			if tt.status == 405 && rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", rec.Header().Get("Allow"))
			}
			if tt.method == "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("HEAD answered a body of %d bytes", rec.Body.Len())
			}
		})
	}
}

func TestPortalRevalidation(t *testing.T) {
	h := newRouter()
	first := do(t, h, "GET", "/portal/app.js", nil)
	etag := first.Header().Get("ETag")
	if etag == "" || first.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, first.Header().Get("Cache-Control"))
	}
	if got := do(t, h, "GET", "/portal/app.js", map[string]string{"If-None-Match": etag}); got.Code != http.StatusNotModified {
		t.Fatalf("revalidation with the current ETag: status %d, want 304", got.Code)
	}
	if got := do(t, h, "GET", "/portal/app.js", map[string]string{"If-None-Match": `"stale"`}); got.Code != http.StatusOK {
		t.Fatalf("revalidation with a stale ETag: status %d, want 200", got.Code)
	}
	if other := do(t, h, "GET", "/portal/api.js", nil).Header().Get("ETag"); other == etag {
		t.Fatal("two different files share an ETag")
	}
}

func TestIndexServedAtBothPaths(t *testing.T) {
	h := newRouter()
	a := do(t, h, "GET", "/portal/", nil).Body.String()
	b := do(t, h, "GET", "/portal/index.html", nil).Body.String()
	if a != b || !strings.Contains(a, "<!doctype html>") {
		t.Fatal("/portal/ and /portal/index.html differ or are not the page")
	}
}
