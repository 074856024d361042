package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestPortalServedByNode checks the wiring: a real node serves the portal
// with its security headers, next to the API's own headers, and answers an
// unknown portal file with the API's error shape.
func TestPortalServedByNode(t *testing.T) {
	s := startNode(t)
	base := s.URL()
	tests := []struct {
		path   string
		status int
		ctype  string
	}{
		{"/portal/", http.StatusOK, "text/html; charset=utf-8"},
		{"/portal/app.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"/portal/portal.css", http.StatusOK, "text/css; charset=utf-8"},
		{"/portal/no-such-file.js", http.StatusNotFound, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := call(t, "GET", base+tt.path, "", "", nil)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if got := r.header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tt.ctype)
			}
			for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "X-Tekstore-Node"} {
				if r.header.Get(h) == "" {
					t.Errorf("header %s missing", h)
				}
			}
			if tt.status == http.StatusNotFound {
				var e struct {
					Error struct{ Code string } `json:"error"`
				}
				if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code != "not_found" {
					t.Errorf("404 body %q is not the API's error shape", r.body)
				}
			}
		})
	}

	// /portal redirects to /portal/ (the client follows it).
	req, err := http.NewRequest("GET", base+"/portal", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/portal/" {
		t.Fatalf("GET /portal: %d Location %q, want 301 to /portal/", resp.StatusCode, resp.Header.Get("Location"))
	}
}
