package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"
)

// apiStub answers fixed bodies per "METHOD /path" and records requests.
type apiStub struct {
	mu     sync.Mutex
	routes map[string]stubAnswer
	seen   []string
	bodies []string
	auth   []string
}

type stubAnswer struct {
	status int
	ctype  string
	body   string
}

func newStub(t *testing.T, routes map[string]stubAnswer) (*apiStub, string) {
	t.Helper()
	s := &apiStub{routes: routes}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *apiStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.Method + " " + r.URL.Path
	b, _ := io.ReadAll(r.Body)
	s.seen = append(s.seen, key+"?"+r.URL.RawQuery)
	s.bodies = append(s.bodies, string(b))
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	a, ok := s.routes[key]
	if !ok {
		a = stubAnswer{404, "application/json", `{"error":{"code":"not_found","message":"no such endpoint"}}`}
	}
	if a.ctype == "" {
		a.ctype = "application/json"
	}
	w.Header().Set("Content-Type", a.ctype)
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// runCmd runs a fresh command tree with args and returns stdout and the error.
func runCmd(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestProviderCommands(t *testing.T) {
	t.Setenv(envToken, "tka_env")
	stub, url := newStub(t, map[string]stubAnswer{
		"POST /v1/providers": {201, "", `{"id":"p_1","token":"tkp_new"}`},
		"GET /v1/providers": {200, "", `{"providers":[{"id":"p_1","name":"GGD Amsterdam","quotaPerDay":5000,"suspended":false,"created":"2026-11-20T08:00:00Z"},
			{"id":"p_2","name":"Lab","quotaPerDay":0,"suspended":true,"created":"2026-11-21T08:00:00Z"}]}`},
		"POST /v1/providers/p_1/suspend":  {200, "", `{"provider":{"id":"p_1","name":"GGD Amsterdam","suspended":true},"seq":9}`},
		"POST /v1/providers/p_1/rollback": {200, "", `{"provider":"p_1","submissions":2,"revoked":20,"seq":10}`},
		"POST /v1/providers/p_9/resume":   {404, "", `{"error":{"code":"not_found","message":"unknown provider"}}`},
	})
	cases := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"add", []string{"add", "GGD Amsterdam", "--quota", "5000"}, []string{"ID", "TOKEN", "p_1", "tkp_new"}, ""},
		{"add json", []string{"add", "GGD", "--format", "json"}, []string{`"id": "p_1"`, `"token": "tkp_new"`}, ""},
		{"list", []string{"list"}, []string{"QUOTA/DAY", "GGD Amsterdam", "5000", "unlimited", "true"}, ""},
		{"suspend", []string{"suspend", "p_1"}, []string{"provider p_1 (GGD Amsterdam) suspended at seq 9"}, ""},
		{"rollback", []string{"rollback", "p_1", "--since", "2026-11-19"}, []string{"2 submissions rolled back, 20 keys revoked, seq 10"}, ""},
		{"resume unknown", []string{"resume", "p_9"}, nil, "not_found: unknown provider"},
		{"rollback without since", []string{"rollback", "p_1"}, nil, `required flag(s) "since" not set`},
		{"bad format", []string{"list", "--format", "yaml"}, nil, "--format must be table or json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCmd(t, newProviderCmd(), append(tc.args, "--addr", url)...)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	stub.mu.Lock()
	defer stub.mu.Unlock()
	if stub.bodies[0] != `{"name":"GGD Amsterdam","quotaPerDay":5000}` || stub.auth[0] != "Bearer tka_env" {
		t.Errorf("add sent %s with %q", stub.bodies[0], stub.auth[0])
	}
}

func TestCodesIssueCommand(t *testing.T) {
	stub, url := newStub(t, map[string]stubAnswer{
		"POST /v1/authorizations": {201, "", `{"codes":[{"code":"K7Q2-9XMD-3HPA-W4ZR","id":"a_1","expiresAt":"2026-11-22T10:00:00Z"}]}`},
	})
	out, err := runCmd(t, newCodesCmd(), "issue", "--count", "1", "--ttl", "48h", "--report-type", "clinical",
		"--onset", "2026-11-18", "--addr", url, "--token", "tkp_x")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "K7Q2-9XMD-3HPA-W4ZR") || !strings.Contains(out, "2026-11-22T10:00:00Z") {
		t.Errorf("output:\n%s", out)
	}
	var sent map[string]any
	stub.mu.Lock()
	_ = json.Unmarshal([]byte(stub.bodies[0]), &sent)
	auth := stub.auth[0]
	stub.mu.Unlock()
	if sent["ttl"] != "48h0m0s" || sent["reportType"] != "clinical" || sent["onset"] != "2026-11-18" || sent["count"] != 1.0 || auth != "Bearer tkp_x" {
		t.Errorf("sent %v with %q", sent, auth)
	}
	if _, err := runCmd(t, newCodesCmd(), "issue", "--onset", "20-11-2026", "--addr", url); err == nil ||
		!strings.Contains(err.Error(), "--onset") {
		t.Errorf("bad onset: err = %v", err)
	}
}

func TestCodesIssuePDF(t *testing.T) {
	_, url := newStub(t, map[string]stubAnswer{
		"POST /v1/authorizations": {201, "application/pdf", "%PDF-1.4 cards"},
	})
	file := filepath.Join(t.TempDir(), "cards.pdf")
	out, err := runCmd(t, newCodesCmd(), "issue", "--count", "3", "--pdf", file, "--addr", url)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil || string(b) != "%PDF-1.4 cards" {
		t.Fatalf("pdf file = %q, %v", b, err)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("pdf mode = %v, want 0600 (the codes are secret)", st.Mode().Perm())
	}
	if !strings.Contains(out, "wrote 3 printable codes to "+file) {
		t.Errorf("output: %s", out)
	}
}

func TestSubmissionCommands(t *testing.T) {
	stub, url := newStub(t, map[string]stubAnswer{
		"POST /v1/submissions/s_1/rollback": {200, "", `{"submission":"s_1","revoked":14,"seq":77}`},
		"POST /v1/submissions/s_2/rollback": {403, "", `{"error":{"code":"forbidden","message":"this submission belongs to another provider"}}`},
		"GET /v1/submissions": {200, "", `{"submissions":[{"id":"s_1","provider":"p_1","authorization":"a_1","keys":[{"key":"AA==","rollingStartNumber":1}],
			"seq":5,"state":"active","time":"2026-11-20T08:00:00Z"}]}`},
	})
	out, err := runCmd(t, newSubmissionCmd(), "rollback", "s_1", "--reason", "lab mix-up", "--addr", url)
	if err != nil || !strings.Contains(out, "submission s_1 rolled back: 14 keys revoked, seq 77") {
		t.Fatalf("rollback: %q, %v", out, err)
	}
	_, err = runCmd(t, newSubmissionCmd(), "rollback", "s_2", "--addr", url)
	if err == nil || err.Error() != "forbidden: this submission belongs to another provider" {
		t.Errorf("forbidden rollback: err = %v", err)
	}
	out, err = runCmd(t, newSubmissionCmd(), "list", "--since", "2026-11-19", "--addr", url)
	if err != nil || !strings.Contains(out, "s_1") || !strings.Contains(out, "active") {
		t.Errorf("list: %q, %v", out, err)
	}
	stub.mu.Lock()
	defer stub.mu.Unlock()
	if stub.bodies[0] != `{"reason":"lab mix-up"}` || stub.seen[2] != "GET /v1/submissions?since=2026-11-19T00%3A00%3A00Z" {
		t.Errorf("sent %q, %q", stub.bodies[0], stub.seen[2])
	}
}

func TestKeysCommandPages(t *testing.T) {
	// The stub answers the same page with more=false; a first page with
	// more=true would loop, so it checks the single-page case and the table.
	_, url := newStub(t, map[string]stubAnswer{
		"GET /v1/keys": {200, "", `{"since":0,"until":12,"reset":true,"more":false,
			"keys":[{"key":"AAAAAAAAAAAAAAAAAAAAAA==","rollingStartNumber":2934720,"rollingPeriod":144,"transmissionRisk":0,"reportType":"confirmed","daysSinceOnsetOfSymptoms":-2}],
			"revoked":[{"key":"AQAAAAAAAAAAAAAAAAAAAA==","rollingStartNumber":2934576}]}`},
	})
	out, err := runCmd(t, newKeysCmd(), "--addr", url, "--limit", "50")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"# since=0 until=12 reset=true more=false keys=1 revoked=1", "added", "revoked",
		"AAAAAAAAAAAAAAAAAAAAAA==", "2025-10-18T00:00Z", "confirmed", "-2"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	out, err = runCmd(t, newKeysCmd(), "--addr", url, "--format", "json")
	if err != nil || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"until":12`) {
		t.Errorf("json: %q, %v", out, err)
	}
}
