package clustertests

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/server"
	"github.com/tekstore/tekstore/tek"
	"github.com/tekstore/tekstore/transport"
)

// secAdminToken is the admin token of the security tests' clusters.
const secAdminToken = "tka_security-tests-admin"

// secStartCluster starts size in-process nodes on loopback: n1 bootstraps,
// the others are added as voters through Raft, and the function returns
// once every node has applied the membership changes. nodes[0] leads.
func secStartCluster(t *testing.T, size int, limits transport.Limits) []*server.Server {
	t.Helper()
	base := t.TempDir()
	var nodes []*server.Server
	for i := 1; i <= size; i++ {
		dir := filepath.Join(base, fmt.Sprintf("n%d", i))
		s, err := server.Start(server.Options{
			ID: fmt.Sprintf("n%d", i), DataDir: dir, HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0",
			Bootstrap: i == 1, AdminToken: secAdminToken, Limits: limits, Logger: zerolog.Nop(),
		})
		if err != nil {
			t.Fatalf("start n%d: %v", i, err)
		}
		t.Cleanup(func() { s.Close() })
		nodes = append(nodes, s)
		if i == 1 {
			if _, err := s.Node().WaitForLeader(15 * time.Second); err != nil {
				t.Fatal(err)
			}
			continue
		}
		id, err := node.LoadIdentity(dir)
		if err != nil {
			t.Fatal(err)
		}
		f := nodes[0].Node().Raft().AddVoter(raft.ServerID(id.ID), raft.ServerAddress(id.RaftAddr), 0, 15*time.Second)
		if err := f.Error(); err != nil {
			t.Fatalf("add %s: %v", id.ID, err)
		}
	}
	secWaitApplied(t, nodes, nodes[0].Node().AppliedIndex())
	return nodes
}

// secWaitApplied waits until every node has applied index.
func secWaitApplied(t *testing.T, nodes []*server.Server, index uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, s := range nodes {
		if err := s.Node().WaitForApplied(ctx, index); err != nil {
			t.Fatalf("%s did not apply %d: %v", s.Node().ID(), index, err)
		}
	}
}

// secResult is a decoded answer: status, error code, and the raw body.
type secResult struct {
	status int
	code   string
	body   []byte
}

// secCall sends one JSON request. hdr may be nil.
func secCall(t *testing.T, c *http.Client, method, url, token string, hdr http.Header, body, out any) secResult {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	res := secResult{status: resp.StatusCode}
	if res.body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatalf("%s %s: read: %v", method, url, err)
	}
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	if json.Unmarshal(res.body, &e) == nil {
		res.code = e.Error.Code
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(res.body, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, res.body, err)
		}
	}
	return res
}

// secKeys returns n random keys of past days in JSON form.
func secKeys(t *testing.T, n int) []map[string]any {
	t.Helper()
	today := tek.IntervalOf(time.Now()) / 144 * 144
	out := make([]map[string]any, n)
	for i := range out {
		k := make([]byte, 16)
		if _, err := rand.Read(k); err != nil {
			t.Fatal(err)
		}
		out[i] = map[string]any{"key": base64.StdEncoding.EncodeToString(k), "rollingStartNumber": today - uint32(i+1)*144}
	}
	return out
}

type secProvider struct {
	ID, Token string
	codes     []string
}

// secAddProvider creates a provider on url and issues count codes.
func secAddProvider(t *testing.T, url, name string, count int) secProvider {
	t.Helper()
	var p secProvider
	if r := secCall(t, http.DefaultClient, "POST", url+"/v1/providers", secAdminToken, nil,
		map[string]any{"name": name, "quotaPerDay": 100000}, &p); r.status != 201 {
		t.Fatalf("provider add: %d %s", r.status, r.body)
	}
	for count > 0 {
		n := min(count, 1000)
		var issued struct {
			Codes []struct{ Code string } `json:"codes"`
		}
		if r := secCall(t, http.DefaultClient, "POST", url+"/v1/authorizations", p.Token, nil,
			map[string]any{"count": n, "ttl": "48h"}, &issued); r.status != 201 || len(issued.Codes) != n {
			t.Fatalf("authorizations: %d %s", r.status, r.body)
		}
		for _, c := range issued.Codes {
			p.codes = append(p.codes, c.Code)
		}
		count -= n
	}
	return p
}

type secPublished struct {
	Submission    string
	Inserted      int
	Seq           uint64
	RevisionToken string
	keys          []map[string]any
}

func secPublish(t *testing.T, url, code string) secPublished {
	t.Helper()
	keys := secKeys(t, 2)
	var p secPublished
	if r := secCall(t, http.DefaultClient, "POST", url+"/v1/publish", "", nil, map[string]any{"code": code, "keys": keys}, &p); r.status != 200 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	p.keys = keys
	return p
}

// TestProviderIsolation: a provider can neither read, nor roll back, nor
// revoke keys of another provider's submission, on any node.
func TestProviderIsolation(t *testing.T) {
	nodes := secStartCluster(t, 3, transport.Limits{})
	leader := nodes[0].URL()
	a := secAddProvider(t, leader, "GGD A", 2)
	b := secAddProvider(t, leader, "GGD B", 2)
	subA := secPublish(t, leader, a.codes[0])
	subB := secPublish(t, leader, b.codes[0])
	seq := max(subA.Seq, subB.Seq)

	for _, n := range nodes {
		u := n.URL()
		q := fmt.Sprintf("?min_index=%d", seq)
		if r := secCall(t, http.DefaultClient, "GET", u+"/v1/submissions/"+subA.Submission+q, b.Token, nil, nil, nil); r.status != 403 || r.code != "forbidden" {
			t.Errorf("%s: B reads A's submission: %d %s, want 403 forbidden", n.Node().ID(), r.status, r.code)
		}
		if r := secCall(t, http.DefaultClient, "GET", u+"/v1/submissions/"+subA.Submission+q, a.Token, nil, nil, nil); r.status != 200 {
			t.Errorf("%s: A reads its own submission: %d %s", n.Node().ID(), r.status, r.body)
		}
		if r := secCall(t, http.DefaultClient, "GET", u+"/v1/submissions/s_doesnotexist"+q, b.Token, nil, nil, nil); r.status != 404 {
			t.Errorf("%s: unknown submission: %d, want 404", n.Node().ID(), r.status)
		}
		var list struct {
			Submissions []struct{ ID string } `json:"submissions"`
		}
		if r := secCall(t, http.DefaultClient, "GET", u+"/v1/submissions"+q, b.Token, nil, nil, &list); r.status != 200 {
			t.Fatalf("%s: B lists: %d %s", n.Node().ID(), r.status, r.body)
		}
		if len(list.Submissions) != 1 || list.Submissions[0].ID != subB.Submission {
			t.Errorf("%s: B's list %+v, want only %s", n.Node().ID(), list.Submissions, subB.Submission)
		}
	}

	before := nodes[0].Node().AppliedIndex()
	if r := secCall(t, http.DefaultClient, "POST", leader+"/v1/submissions/"+subA.Submission+"/rollback", b.Token, nil,
		map[string]any{"reason": "not mine"}, nil); r.status != 403 || r.code != "forbidden" {
		t.Errorf("B rolls back A's submission: %d %s, want 403 forbidden", r.status, r.body)
	}
	ref := []map[string]any{{"key": subA.keys[0]["key"], "rollingStartNumber": subA.keys[0]["rollingStartNumber"]}}
	if r := secCall(t, http.DefaultClient, "POST", leader+"/v1/revocations", b.Token, nil,
		map[string]any{"keys": ref, "reason": "not mine"}, nil); r.status != 403 || r.code != "forbidden" {
		t.Errorf("B revokes A's key: %d %s, want 403 forbidden", r.status, r.body)
	}
	// Nothing changed: A's submission is active and its keys are public.
	var got struct{ State string }
	if r := secCall(t, http.DefaultClient, "GET", leader+"/v1/submissions/"+subA.Submission, a.Token, nil, nil, &got); r.status != 200 || got.State != "active" {
		t.Errorf("A's submission after B's attempts: %d %+v", r.status, got)
	}
	var delta struct {
		Keys    []struct{ Key string }
		Revoked []struct{ Key string }
	}
	if r := secCall(t, http.DefaultClient, "GET", fmt.Sprintf("%s/v1/keys?since=%d", leader, before-1), "", nil, nil, &delta); r.status != 200 || len(delta.Revoked) != 0 {
		t.Errorf("keys after B's attempts: %d, %d revoked", r.status, len(delta.Revoked))
	}
	// A may roll back its own submission.
	if r := secCall(t, http.DefaultClient, "POST", leader+"/v1/submissions/"+subA.Submission+"/rollback", a.Token, nil,
		map[string]any{"reason": "lab mix-up"}, nil); r.status != 200 {
		t.Errorf("A rolls back its own submission: %d %s", r.status, r.body)
	}
}

// TestSuspendedProviderEverywhere: once the suspend is applied, the
// provider's token and its unused codes are refused by every node; resume
// brings them back.
func TestSuspendedProviderEverywhere(t *testing.T) {
	nodes := secStartCluster(t, 3, transport.Limits{})
	leader := nodes[0].URL()
	a := secAddProvider(t, leader, "GGD Suspended", 3)
	b := secAddProvider(t, leader, "GGD Other", 1)

	var sus struct{ Seq uint64 }
	if r := secCall(t, http.DefaultClient, "POST", leader+"/v1/providers/"+a.ID+"/suspend", secAdminToken, nil, nil, &sus); r.status != 200 || sus.Seq == 0 {
		t.Fatalf("suspend: %d %s", r.status, r.body)
	}
	for _, n := range nodes {
		u := n.URL()
		r := secCall(t, http.DefaultClient, "GET", fmt.Sprintf("%s/v1/submissions?min_index=%d", u, sus.Seq), a.Token, nil, nil, nil)
		if r.status != 403 || r.code != "forbidden" {
			t.Errorf("%s: suspended token: %d %s, want 403 forbidden", n.Node().ID(), r.status, r.body)
		}
		if r := secCall(t, http.DefaultClient, "POST", u+"/v1/authorizations", a.Token, nil, map[string]any{"count": 1}, nil); r.status != 403 {
			t.Errorf("%s: suspended provider issues codes: %d, want 403", n.Node().ID(), r.status)
		}
		// The node has applied the suspend (the read above waited for it),
		// so it refuses the code from its own state, before Raft.
		r = secCall(t, http.DefaultClient, "POST", u+"/v1/publish", "", nil, map[string]any{"code": a.codes[0], "keys": secKeys(t, 1)}, nil)
		if r.status != 403 || r.code != "code_invalid" {
			t.Errorf("%s: suspended provider's code: %d %s, want 403 code_invalid", n.Node().ID(), r.status, r.body)
		}
		if r := secCall(t, http.DefaultClient, "GET", fmt.Sprintf("%s/v1/submissions?min_index=%d", u, sus.Seq), b.Token, nil, nil, nil); r.status != 200 {
			t.Errorf("%s: another provider's token: %d, want 200", n.Node().ID(), r.status)
		}
	}
	if got := nodes[0].Node().AppliedIndex(); got != sus.Seq {
		t.Errorf("refused uploads reached the log: applied %d after suspend seq %d", got, sus.Seq)
	}
	secPublish(t, leader, b.codes[0])

	var res struct{ Seq uint64 }
	if r := secCall(t, http.DefaultClient, "POST", leader+"/v1/providers/"+a.ID+"/resume", secAdminToken, nil, nil, &res); r.status != 200 {
		t.Fatalf("resume: %d %s", r.status, r.body)
	}
	for _, n := range nodes {
		if r := secCall(t, http.DefaultClient, "GET", fmt.Sprintf("%s/v1/submissions?min_index=%d", n.URL(), res.Seq), a.Token, nil, nil, nil); r.status != 200 {
			t.Errorf("%s: resumed token: %d %s", n.Node().ID(), r.status, r.body)
		}
	}
	secPublish(t, leader, a.codes[1])
}
