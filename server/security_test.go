package server

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/codes"
	"github.com/tekstore/tekstore/tek"
	"github.com/tekstore/tekstore/transport"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

// apiClient sends JSON requests to one node.
type apiClient struct {
	t    *testing.T
	c    *http.Client
	base string
	hdr  http.Header // added to every request
}

// do sends body as JSON (nil = no body) and decodes the answer into out.
func (a apiClient) do(method, path, token string, body, out any) int {
	a.t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range a.hdr {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	if out != nil {
		if w, ok := out.(*[]byte); ok {
			*w = raw
		} else if err := json.Unmarshal(raw, out); err != nil && resp.StatusCode < 300 {
			a.t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

// testKeys returns n valid keys (JSON form) of past days and their bytes.
func testKeys(seed byte, n int) ([]map[string]any, [][]byte) {
	today := tek.IntervalOf(time.Now()) / 144 * 144
	var js []map[string]any
	var raw [][]byte
	for i := 1; i <= n; i++ {
		k := make([]byte, 16)
		for j := range k {
			k[j] = seed ^ byte(i*31+j*7)
		}
		raw = append(raw, k)
		js = append(js, map[string]any{"key": base64.StdEncoding.EncodeToString(k), "rollingStartNumber": today - uint32(i)*144})
	}
	return js, raw
}

type issuedCodes struct {
	Codes []struct{ Code, ID string } `json:"codes"`
}

type publishAnswer struct {
	Submission    string
	Inserted      int
	Seq           uint64
	RevisionToken string
}

// TestNoSecretsInLogsOrData runs every operation that handles a secret on
// one node with debug logging, then searches the log output, every file of
// the data directory and a backup for the plain codes, tokens, revision
// tokens and the client address used. Key bytes are public data and
// expected in the data directory, but never in logs.
func TestNoSecretsInLogsOrData(t *testing.T) {
	const adminToken = "tka_secret-scan-admin-4f1c9e"
	const clientIP = "203.0.113.77"
	logs := &syncBuffer{}
	dir := t.TempDir()
	s, err := Start(Options{
		ID: "n1", DataDir: dir, HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0",
		Bootstrap: true, AdminToken: adminToken,
		Limits: transport.Limits{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}},
		Logger: zerolog.New(logs).Level(zerolog.DebugLevel).With().Timestamp().Logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			s.Close()
		}
	})
	if _, err := s.Node().WaitForLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	api := apiClient{t: t, c: &http.Client{Timeout: 20 * time.Second}, base: s.URL(),
		hdr: http.Header{"X-Forwarded-For": {clientIP}}}

	var needles []string // must appear nowhere
	var logOnly []string // must not appear in logs
	needles = append(needles, adminToken, clientIP)

	var prov struct{ ID, Token string }
	if st := api.do("POST", "/v1/providers", adminToken, map[string]any{"name": "GGD Scan", "quotaPerDay": 100}, &prov); st != 201 {
		t.Fatalf("provider add: %d", st)
	}
	needles = append(needles, prov.Token)
	var issued issuedCodes
	if st := api.do("POST", "/v1/authorizations", prov.Token, map[string]any{"count": 4, "ttl": "48h"}, &issued); st != 201 || len(issued.Codes) != 4 {
		t.Fatalf("authorizations: %d %+v", st, issued)
	}
	for _, c := range issued.Codes {
		parsed, err := codes.Parse(c.Code)
		if err != nil {
			t.Fatal(err)
		}
		for _, form := range []string{c.Code, parsed.Canonical(), parsed.String()} {
			needles = append(needles, form, strings.ToLower(form))
		}
	}

	var publicKeys [][]byte
	publish := func(code string, seed byte) publishAnswer {
		t.Helper()
		keys, raw := testKeys(seed, 3)
		publicKeys = append(publicKeys, raw...)
		for _, k := range raw {
			logOnly = append(logOnly, base64.StdEncoding.EncodeToString(k), base64.RawStdEncoding.EncodeToString(k),
				base64.RawURLEncoding.EncodeToString(k), hex.EncodeToString(k))
		}
		var pub publishAnswer
		if st := api.do("POST", "/v1/publish", "", map[string]any{"code": code, "keys": keys, "padding": "AAAA"}, &pub); st != 200 {
			t.Fatalf("publish: %d", st)
		}
		// A retry after a lost answer.
		var again publishAnswer
		if st := api.do("POST", "/v1/publish", "", map[string]any{"code": code, "keys": keys}, &again); st != 200 || again != pub {
			t.Fatalf("retry: %d %+v, want %+v", st, again, pub)
		}
		needles = append(needles, pub.RevisionToken)
		return pub
	}
	// Lower case, no dashes: the typed form of a code.
	first := publish(strings.ToLower(strings.ReplaceAll(issued.Codes[0].Code, "-", "")), 1)
	second := publish(issued.Codes[1].Code, 2)
	third := publish(issued.Codes[2].Code, 3)

	// Refusals: a mistyped code, a used code with other keys.
	typo := []byte(issued.Codes[3].Code)
	typo[len(typo)-1] ^= 1
	otherKeys, _ := testKeys(9, 2)
	if st := api.do("POST", "/v1/publish", "", map[string]any{"code": string(typo), "keys": otherKeys}, nil); st != 403 {
		t.Fatalf("mistyped code: %d", st)
	}
	if st := api.do("POST", "/v1/publish", "", map[string]any{"code": issued.Codes[0].Code, "keys": otherKeys}, nil); st != 409 {
		t.Fatalf("used code: %d", st)
	}
	// Revoke by revision token (twice: idempotent), roll back, revoke one key.
	for range 2 {
		if st := api.do("POST", "/v1/publish/revoke", "", map[string]any{"revisionToken": first.RevisionToken}, nil); st != 200 {
			t.Fatalf("revoke by token: %d", st)
		}
	}
	if st := api.do("POST", "/v1/submissions/"+second.Submission+"/rollback", prov.Token, map[string]any{"reason": "lab mix-up"}, nil); st != 200 {
		t.Fatalf("rollback: %d", st)
	}
	thirdKeys, _ := testKeys(3, 1)
	if st := api.do("POST", "/v1/revocations", prov.Token, map[string]any{
		"keys": []map[string]any{{"key": thirdKeys[0]["key"], "rollingStartNumber": thirdKeys[0]["rollingStartNumber"]}}, "reason": "wrong key",
	}, nil); st != 200 {
		t.Fatalf("revocations: %d", st)
	}
	if st := api.do("POST", "/v1/providers/"+prov.ID+"/suspend", adminToken, nil, nil); st != 200 {
		t.Fatalf("suspend: %d", st)
	}
	if st := api.do("POST", "/v1/providers/"+prov.ID+"/resume", adminToken, nil, nil); st != 200 {
		t.Fatalf("resume: %d", st)
	}
	if st := api.do("GET", "/v1/submissions/"+third.Submission, prov.Token, nil, nil); st != 200 {
		t.Fatalf("submission get: %d", st)
	}
	// Unknown tokens are refused and must not be echoed into the logs.
	const wrongToken = "tkp_wrong-token-7d2b"
	needles = append(needles, wrongToken)
	if st := api.do("GET", "/v1/submissions", wrongToken, nil, nil); st != 401 {
		t.Fatalf("wrong token: %d", st)
	}
	var backup []byte
	if st := api.do("GET", "/v1/backup", adminToken, nil, &backup); st != 200 || len(backup) == 0 {
		t.Fatalf("backup: %d, %d bytes", st, len(backup))
	}
	if err := os.WriteFile(filepath.Join(dir, "scan-backup.snap"), backup, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Node().Raft().Snapshot().Error(); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	closed = true

	files := readTree(t, dir)
	if _, ok := files["raft.db"]; !ok {
		t.Fatalf("scan found no raft.db in %v", keysOf(files))
	}
	if !hasPrefix(files, "snapshots"+string(filepath.Separator)) {
		t.Fatalf("scan found no snapshot in %v", keysOf(files))
	}
	logBytes := logs.Bytes()
	if !bytes.Contains(logBytes, []byte("node started")) {
		t.Fatalf("the log capture is empty or broken: %d bytes", len(logBytes))
	}
	for _, n := range needles {
		if bytes.Contains(logBytes, []byte(n)) {
			t.Errorf("logs contain secret %q", n)
		}
		for name, b := range files {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("data file %s contains secret %q", name, n)
			}
		}
	}
	for _, n := range logOnly {
		if bytes.Contains(logBytes, []byte(n)) {
			t.Errorf("logs contain key material %q", n)
		}
	}
	// Control: the published key bytes (public data) are found in the data
	// directory, so the scan does read what the node stored.
	for _, k := range publicKeys {
		found := false
		for _, b := range files {
			found = found || bytes.Contains(b, k)
		}
		if !found {
			t.Fatalf("control failed: key %x not found in the data directory", k)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", logBytes)
	}
	t.Logf("searched %d log bytes and %d files (%d bytes) for %d secrets and %d key encodings",
		len(logBytes), len(files), totalSize(files), len(needles), len(logOnly))
}

// readTree reads every regular file under dir, keyed by relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func hasPrefix(m map[string][]byte, p string) bool {
	for k := range m {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

func totalSize(m map[string][]byte) int {
	n := 0
	for _, b := range m {
		n += len(b)
	}
	return n
}
