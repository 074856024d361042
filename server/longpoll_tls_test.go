package server

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// TestLongPollOverTLS: over HTTPS, an HTTP/1.1 long poll is parked and
// answered at its deadline, and its connection (a *tls.Conn handed back to
// net/http) serves the next request; HTTP/2 is still offered, and its long
// polls wait in the handler.
func TestLongPollOverTLS(t *testing.T) {
	ca, err := NewThrowawayCA("longpoll tls")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.Issue("api", "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(Options{ID: "n1", DataDir: filepath.Join(t.TempDir(), "data"), HTTPAddr: "127.0.0.1:0",
		RaftAddr: "127.0.0.1:0", Bootstrap: true, AdminToken: tlsAdminToken, Logger: zerolog.Nop(),
		HTTPTLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Node().WaitForLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.CertPEM())
	// One applied command, so that a poll after it waits (since=0 on an
	// empty state is a reset, answered at once).
	hc0 := httpsClient(ca)
	defer hc0.CloseIdleConnections()
	if st := callWith(t, hc0, "POST", s.URL()+"/v1/providers", tlsAdminToken, map[string]any{"name": "GGD TLS"}); st != http.StatusCreated {
		t.Fatalf("add provider: %d", st)
	}
	for _, tc := range []struct {
		name, proto string
		h2          bool
	}{{"http/1.1", "HTTP/1.1", false}, {"h2", "HTTP/2.0", true}} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: tc.h2}
			if !tc.h2 {
				tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
			}
			hc := &http.Client{Timeout: 20 * time.Second, Transport: tr}
			defer tr.CloseIdleConnections()
			var full struct{ Until uint64 }
			get := func(path string) (*http.Response, []byte, bool) {
				t.Helper()
				reused := false
				req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
					GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused },
				}))
				res, err := hc.Do(req)
				if err != nil {
					t.Fatalf("GET %s: %v", path, err)
				}
				defer res.Body.Close()
				b, err := io.ReadAll(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				return res, b, reused
			}
			_, b, _ := get("/v1/keys?since=0")
			if err := json.Unmarshal(b, &full); err != nil {
				t.Fatalf("full set %s: %v", b, err)
			}
			start := time.Now()
			res, b, _ := get(fmt.Sprintf("/v1/keys?since=%d&wait=1s", full.Until))
			if el := time.Since(start); res.StatusCode != http.StatusOK || res.Proto != tc.proto || el < time.Second {
				t.Fatalf("long poll: %s %d after %v: %s", res.Proto, res.StatusCode, el, b)
			}
			res, _, reused := get("/healthz")
			if res.StatusCode != http.StatusOK || !reused {
				t.Fatalf("request after the long poll: %d, connection reused %v", res.StatusCode, reused)
			}
		})
	}
}

// callWith sends a JSON request with a bearer token and returns the status.
func callWith(t *testing.T, hc *http.Client, method, url, token string, body any) int {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, url, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}
