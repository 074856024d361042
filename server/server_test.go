package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/tek"
)

func startSingle(t *testing.T) *Server {
	t.Helper()
	s, err := Start(Options{
		ID: "n1", DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0",
		Bootstrap: true, AdminToken: "tka_test-admin", Logger: zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Node().WaitForLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	return s
}

func call(t *testing.T, method, url, token string, body any, out any) int {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// TestSingleNodeFlow drives provider -> code -> publish -> read -> rollback
// -> read through the real HTTP server on one Raft node.
func TestSingleNodeFlow(t *testing.T) {
	s := startSingle(t)
	u := s.URL()
	var prov struct{ ID, Token string }
	if st := call(t, "POST", u+"/v1/providers", "tka_test-admin", map[string]any{"name": "GGD Test"}, &prov); st != 201 {
		t.Fatalf("provider add: %d", st)
	}
	var issued struct {
		Codes []struct{ Code, ID string } `json:"codes"`
	}
	if st := call(t, "POST", u+"/v1/authorizations", prov.Token, map[string]any{"count": 2}, &issued); st != 201 || len(issued.Codes) != 2 {
		t.Fatalf("authorizations: %d %+v", st, issued)
	}
	today := tek.IntervalOf(time.Now()) / 144 * 144
	var keys []map[string]any
	for i := 1; i <= 3; i++ {
		k := make([]byte, 16)
		k[0], k[1] = byte(i), 0xAB
		keys = append(keys, map[string]any{"key": base64.StdEncoding.EncodeToString(k), "rollingStartNumber": today - uint32(i)*144})
	}
	var pub struct {
		Submission    string
		Inserted      int
		Seq           uint64
		RevisionToken string
	}
	if st := call(t, "POST", u+"/v1/publish", "", map[string]any{"code": issued.Codes[0].Code, "keys": keys}, &pub); st != 200 || pub.Inserted != 3 {
		t.Fatalf("publish: %d %+v", st, pub)
	}
	var again struct{ Submission string }
	if st := call(t, "POST", u+"/v1/publish", "", map[string]any{"code": issued.Codes[0].Code, "keys": keys}, &again); st != 200 || again.Submission != pub.Submission {
		t.Fatalf("idempotent retry: %d %+v", st, again)
	}
	var delta struct {
		Until   uint64
		Reset   bool
		Keys    []map[string]any
		Revoked []map[string]any
	}
	if st := call(t, "GET", fmt.Sprintf("%s/v1/keys?since=0&min_index=%d", u, pub.Seq), "", nil, &delta); st != 200 || len(delta.Keys) != 3 || !delta.Reset {
		t.Fatalf("keys: %d %+v", st, delta)
	}
	until := delta.Until
	var rb struct {
		Revoked int
		Seq     uint64
	}
	if st := call(t, "POST", u+"/v1/submissions/"+pub.Submission+"/rollback", prov.Token, map[string]any{"reason": "lab mix-up"}, &rb); st != 200 || rb.Revoked != 3 {
		t.Fatalf("rollback: %d %+v", st, rb)
	}
	delta.Keys, delta.Revoked = nil, nil
	if st := call(t, "GET", fmt.Sprintf("%s/v1/keys?since=%d", u, until), "", nil, &delta); st != 200 || len(delta.Revoked) != 3 || len(delta.Keys) != 0 {
		t.Fatalf("keys after rollback: %d %+v", st, delta)
	}
}
