package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/server"
	"github.com/tekstore/tekstore/tek"
)

// adminToken is the admin token of the test nodes.
const adminToken = "tka_portal-e2e-admin"

// retryDeadline bounds the retries of a rate-limited call.
const retryDeadline = 30 * time.Second

// startNode starts a single bootstrapped node on loopback ports in a temp
// dir and waits for it to lead.
func startNode(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.Start(server.Options{
		ID: "n1", DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0",
		Bootstrap: true, AdminToken: adminToken, Logger: zerolog.Nop(),
	})
	if err != nil {
		t.Fatalf("server.Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Node().WaitForLeader(10 * time.Second); err != nil {
		t.Fatalf("waiting for a leader: %v", err)
	}
	return s
}

// response is one answer of the API.
type response struct {
	status int
	header http.Header
	body   []byte
}

// decode unmarshals the JSON body into out.
func (r response) decode(t *testing.T, out any) {
	t.Helper()
	if err := json.Unmarshal(r.body, out); err != nil {
		t.Fatalf("decoding %q: %v", r.body, err)
	}
}

// call sends one request. A 429 is retried after its Retry-After, as a
// client must, until retryDeadline.
func call(t *testing.T, method, url, token, accept string, body any) response {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(retryDeadline)
	for {
		req, err := http.NewRequest(method, url, bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s %s: reading the answer: %v", method, url, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests && time.Now().Before(deadline) {
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			time.Sleep(time.Duration(max(wait, 1)) * time.Second)
			continue
		}
		return response{status: resp.StatusCode, header: resp.Header, body: b}
	}
}

// addProvider creates a provider and returns its id and token.
func addProvider(t *testing.T, base, name string) (id, token string) {
	t.Helper()
	r := call(t, "POST", base+"/v1/providers", adminToken, "", map[string]any{"name": name})
	if r.status != http.StatusCreated {
		t.Fatalf("adding provider: %d %s", r.status, r.body)
	}
	var out struct{ ID, Token string }
	r.decode(t, &out)
	return out.ID, out.Token
}

// freshKeys returns n keys with random data, one per past day.
func freshKeys(t *testing.T, n int) []map[string]any {
	t.Helper()
	today := tek.IntervalOf(time.Now()) / 144 * 144
	keys := make([]map[string]any, n)
	for i := range keys {
		k := make([]byte, 16)
		if _, err := rand.Read(k); err != nil {
			t.Fatal(err)
		}
		keys[i] = map[string]any{"key": base64.StdEncoding.EncodeToString(k), "rollingStartNumber": today - uint32(i+1)*144}
	}
	return keys
}

// publishResult is the answer of POST /v1/publish.
type publishResult struct {
	Submission string `json:"submission"`
	Inserted   int    `json:"inserted"`
	Seq        uint64 `json:"seq"`
}

// publish uploads keys with code and returns the status and answer.
func publish(t *testing.T, base, code string, keys []map[string]any) (int, publishResult, []byte) {
	t.Helper()
	r := call(t, "POST", base+"/v1/publish", "", "", map[string]any{"code": code, "keys": keys})
	var out publishResult
	if r.status == http.StatusOK {
		r.decode(t, &out)
	}
	return r.status, out, r.body
}
