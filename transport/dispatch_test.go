package transport

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// TestKeysShortcutMatchesRouter sends requests near GET /v1/keys through
// the API's handler (with the shortcut) and through the router alone: the
// answers must be the same.
func TestKeysShortcutMatchesRouter(t *testing.T) {
	e := newEnv(t)
	viaRouter := e.api.withCommon(e.api.router)
	targets := []struct{ method, target string }{
		{"GET", "/v1/keys"}, {"GET", "/v1/keys?since=0"}, {"GET", "/v1/keys?since=x"},
		{"GET", "/v1/keys?limit=0"}, {"GET", "/v1/keys?since=0&min_index=0"}, {"GET", "/v1/keys?min_index=x"},
		{"GET", "/v1/keys/"}, {"GET", "/v1/%6Beys"}, {"GET", "/v1/keys%2F"}, {"GET", "/v1//keys"},
		{"GET", "/V1/keys"}, {"HEAD", "/v1/keys"}, {"POST", "/v1/keys"}, {"DELETE", "/v1/keys"},
	}
	for _, tc := range targets {
		a, b := httptest.NewRecorder(), httptest.NewRecorder()
		e.api.Handler().ServeHTTP(a, httptest.NewRequest(tc.method, tc.target, nil))
		viaRouter.ServeHTTP(b, httptest.NewRequest(tc.method, tc.target, nil))
		if a.Code != b.Code || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
			t.Errorf("%s %s: shortcut %d %q, router %d %q", tc.method, tc.target, a.Code, a.Body, b.Code, b.Body)
		}
		for _, h := range []string{"Content-Type", "Content-Length", "Vary", "Content-Encoding", headerNode, headerIndex, "Allow"} {
			if a.Header().Get(h) != b.Header().Get(h) {
				t.Errorf("%s %s: %s shortcut %q, router %q", tc.method, tc.target, h, a.Header().Get(h), b.Header().Get(h))
			}
		}
	}
}

// TestRequestMetricsNameTheRoute: the request counter is labelled with the
// route that answered (the shortcut's and the router's), "unknown" only
// when no route matched.
func TestRequestMetricsNameTheRoute(t *testing.T) {
	e := newEnv(t)
	e.do(req{method: "GET", path: "/v1/keys?since=0"}).wantStatus(t, http.StatusOK)
	e.do(req{method: "GET", path: "/healthz"}).wantStatus(t, http.StatusOK)
	e.do(req{method: "GET", path: "/v1/nothing"}).wantStatus(t, http.StatusNotFound)
	e.do(req{method: "GET", path: "/v1/keys?since=x"}).wantStatus(t, http.StatusBadRequest)
	for _, c := range []struct {
		route, status string
	}{{"keys", "200"}, {"healthz", "200"}, {"unknown", "404"}, {"keys", "400"}} {
		var m dto.Metric
		if err := e.api.metrics.requests.WithLabelValues(c.route, c.status).Write(&m); err != nil {
			t.Fatal(err)
		}
		if n := m.GetCounter().GetValue(); n != 1 {
			t.Errorf("requests{route=%q,status=%q} = %v, want 1", c.route, c.status, n)
		}
	}
}

// TestClientKeyMatchesKeyOfClientAddr: the allocation-free client key is
// the key of the client's budget unit (the address, an IPv6 /64).
func TestClientKeyMatchesKeyOfClientAddr(t *testing.T) {
	for _, trusted := range [][]netip.Prefix{nil, {netip.MustParsePrefix("10.0.0.0/8")}} {
		g := newGuards(Limits{TrustedProxies: trusted})
		for _, remote := range []string{
			"192.0.2.1:443", "[2001:db8:1:2:3:4:5:6]:80", "[::ffff:192.0.2.9]:1", "[fe80::1%eth0]:9",
			"10.1.2.3:5", "not-an-address", "192.0.2.1", "[::1]:0",
		} {
			r := httptest.NewRequest(http.MethodGet, "/v1/keys", nil)
			r.RemoteAddr = remote
			r.Header.Set("X-Forwarded-For", "198.51.100.4")
			if got, want := g.clientKey(r), g.keyOf(g.clientAddr(r)); got != want {
				t.Errorf("%s (trusted %v): clientKey differs from keyOf(clientAddr)", remote, trusted)
			}
		}
		if g.keyOf("192.0.2.1") == g.keyOf("192.0.2.2") {
			t.Fatal("two addresses share a key")
		}
	}
	if k := newGuards(Limits{}).keyOf("192.0.2.1"); strings.Contains(string(k[:]), "192.0.2.1") {
		t.Fatal("the key holds the address")
	}
}

// TestKeysAnswerHeadersAreNotShared: the header values shared between
// answers come out unchanged after many answers with other values.
func TestKeysAnswerHeadersAreNotShared(t *testing.T) {
	e := newEnv(t)
	for _, ae := range []string{"", "gzip", "identity"} {
		r := e.do(req{method: "GET", path: "/v1/keys?since=0", headers: map[string]string{"Accept-Encoding": ae}})
		r.wantStatus(t, http.StatusOK)
	}
	if headerJSON[0] != "application/json" || headerVaryAccept[0] != "Accept-Encoding" || headerGzip[0] != "gzip" ||
		len(headerJSON) != 1 || len(headerVaryAccept) != 1 || len(headerGzip) != 1 {
		t.Fatalf("shared header values changed: %v %v %v", headerJSON, headerVaryAccept, headerGzip)
	}
}
