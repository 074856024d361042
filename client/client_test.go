package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorded is what the fake server saw.
type recorded struct {
	Method, Path, RawPath, Query string
	Header                       http.Header
	Body                         map[string]any
}

// fakeServer answers every request with status and body and records it.
type fakeServer struct {
	t      *testing.T
	mu     sync.Mutex
	last   recorded
	status int
	body   string
	ctype  string
	header http.Header
}

func newFake(t *testing.T) (*fakeServer, *Client) {
	t.Helper()
	f := &fakeServer{t: t, status: 200, body: "{}", ctype: "application/json"}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/", WithToken("tkp_test"), WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func (f *fakeServer) answer(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.body = status, body
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := recorded{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone()}
	b, _ := io.ReadAll(r.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &rec.Body); err != nil {
			f.t.Errorf("request body is not a JSON object: %q", b)
		}
	}
	f.last = rec
	for k, v := range f.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set(HeaderNode, "n2")
	w.Header().Set(HeaderIndex, "42")
	w.WriteHeader(f.status)
	_, _ = io.WriteString(w, f.body)
}

func (f *fakeServer) seen() recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8080", "ftp://x", "http://"} {
		if _, err := New(u); !errors.Is(err, ErrBadBaseURL) {
			t.Errorf("New(%q) = %v, want ErrBadBaseURL", u, err)
		}
	}
}

// TestRequests checks method, path, query and body of every call.
func TestRequests(t *testing.T) {
	ctx := context.Background()
	since := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		call      func(c *Client) error
		method    string
		path      string
		query     string
		body      map[string]any
		noToken   bool
		extraHead map[string]string
	}{
		{"publish", func(c *Client) error {
			_, err := c.Publish(ctx, PublishRequest{Code: "K7Q2-9XMD", Keys: []Key{{Key: "AAAA", RollingStartNumber: 7}}})
			return err
		}, "POST", "/v1/publish", "", map[string]any{"code": "K7Q2-9XMD", "keys": []any{map[string]any{"key": "AAAA", "rollingStartNumber": 7.0}}}, false, nil},
		{"publish encoded", func(c *Client) error {
			body, err := EncodePublish(PublishRequest{Code: "K7Q2-9XMD", Keys: []Key{{Key: "AAAA", RollingStartNumber: 7}}})
			if err != nil {
				return err
			}
			_, err = c.PublishEncoded(ctx, body)
			return err
		}, "POST", "/v1/publish", "", map[string]any{"code": "K7Q2-9XMD", "keys": []any{map[string]any{"key": "AAAA", "rollingStartNumber": 7.0}}}, false, nil},
		{"chaff", func(c *Client) error {
			_, err := c.PublishChaff(ctx, PublishRequest{Code: "X", Keys: []Key{}, Padding: "cGFk"})
			return err
		}, "POST", "/v1/publish", "", map[string]any{"code": "X", "keys": []any{}, "padding": "cGFk"}, false, map[string]string{"X-Chaff": "1"}},
		{"publish revoke", func(c *Client) error { _, err := c.RevokePublish(ctx, "rt"); return err },
			"POST", "/v1/publish/revoke", "", map[string]any{"revisionToken": "rt"}, false, nil},
		{"keys", func(c *Client) error {
			_, err := c.Keys(ctx, KeysQuery{Since: 5, Limit: 10, Wait: 30 * time.Second, MinIndex: 9})
			return err
		}, "GET", "/v1/keys", "limit=10&min_index=9&since=5&wait=30s", nil, false, nil},
		{"keys since 0", func(c *Client) error { _, err := c.Keys(ctx, KeysQuery{}); return err },
			"GET", "/v1/keys", "since=0", nil, false, nil},
		{"issue", func(c *Client) error {
			_, err := c.IssueCodes(ctx, AuthorizationRequest{Count: 3, TTL: "48h", ReportType: ReportClinical, Onset: "2026-11-20"})
			return err
		}, "POST", "/v1/authorizations", "", map[string]any{"count": 3.0, "ttl": "48h", "reportType": "clinical", "onset": "2026-11-20"}, false, nil},
		{"submissions", func(c *Client) error { _, err := c.Submissions(ctx, since, MinIndex(4)); return err },
			"GET", "/v1/submissions", "min_index=4&since=2026-11-20T08%3A00%3A00Z", nil, false, nil},
		{"submission", func(c *Client) error { _, err := c.Submission(ctx, "s_1"); return err },
			"GET", "/v1/submissions/s_1", "", nil, false, nil},
		{"submission id escaped", func(c *Client) error { _, err := c.Submission(ctx, "../x"); return err },
			"GET", "/v1/submissions/..%2Fx", "", nil, false, nil},
		{"rollback", func(c *Client) error { _, err := c.RollbackSubmission(ctx, "s_1", "lab mix-up"); return err },
			"POST", "/v1/submissions/s_1/rollback", "", map[string]any{"reason": "lab mix-up"}, false, nil},
		{"revocations", func(c *Client) error {
			_, err := c.Revoke(ctx, RevocationRequest{Keys: []KeyRef{{Key: "AAAA", RollingStartNumber: 3}}, Reason: "r"})
			return err
		}, "POST", "/v1/revocations", "", map[string]any{"keys": []any{map[string]any{"key": "AAAA", "rollingStartNumber": 3.0}}, "reason": "r"}, false, nil},
		{"provider add", func(c *Client) error { _, err := c.AddProvider(ctx, "GGD", 5000); return err },
			"POST", "/v1/providers", "", map[string]any{"name": "GGD", "quotaPerDay": 5000.0}, false, nil},
		{"provider list", func(c *Client) error { _, err := c.Providers(ctx); return err }, "GET", "/v1/providers", "", nil, false, nil},
		{"provider get", func(c *Client) error { _, err := c.Provider(ctx, "p_1"); return err }, "GET", "/v1/providers/p_1", "", nil, false, nil},
		{"suspend", func(c *Client) error { _, err := c.SuspendProvider(ctx, "p_1"); return err }, "POST", "/v1/providers/p_1/suspend", "", nil, false, nil},
		{"resume", func(c *Client) error { _, err := c.ResumeProvider(ctx, "p_1"); return err }, "POST", "/v1/providers/p_1/resume", "", nil, false, nil},
		{"provider rollback", func(c *Client) error {
			_, err := c.RollbackProvider(ctx, "p_1", since, since.Add(time.Hour))
			return err
		}, "POST", "/v1/providers/p_1/rollback", "", map[string]any{"since": "2026-11-20T08:00:00Z", "until": "2026-11-20T09:00:00Z"}, false, nil},
		{"cluster", func(c *Client) error { _, err := c.Cluster(ctx); return err }, "GET", "/v1/cluster", "", nil, false, nil},
		{"join", func(c *Client) error {
			_, err := c.JoinNode(ctx, NodeSpec{ID: "n4", RaftAddr: "10.0.0.4:7000", HTTPAddr: "http://10.0.0.4:8080", Voter: true})
			return err
		}, "POST", "/v1/cluster/nodes", "", map[string]any{"id": "n4", "raftAddr": "10.0.0.4:7000", "httpAddr": "http://10.0.0.4:8080", "voter": true}, false, nil},
		{"remove", func(c *Client) error { _, err := c.RemoveNode(ctx, "n4"); return err }, "DELETE", "/v1/cluster/nodes/n4", "", nil, false, nil},
		{"checkpoints", func(c *Client) error { _, err := c.Checkpoints(ctx); return err }, "GET", "/v1/checkpoints", "", nil, false, nil},
		{"checkpoint", func(c *Client) error { _, err := c.Checkpoint(ctx, 7); return err }, "GET", "/v1/checkpoints/7", "", nil, false, nil},
		{"export", func(c *Client) error { _, err := c.CheckpointExport(ctx, 7); return err }, "GET", "/v1/checkpoints/7/export.zip", "", nil, false, nil},
		{"healthz", func(c *Client) error { _, err := c.Healthz(ctx); return err }, "GET", "/healthz", "", nil, false, nil},
		{"readyz", func(c *Client) error { _, err := c.Readyz(ctx); return err }, "GET", "/readyz", "", nil, false, nil},
		{"other token", func(c *Client) error { _, err := c.WithToken("").Healthz(ctx); return err }, "GET", "/healthz", "", nil, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t)
			if err := tc.call(c); err != nil {
				t.Fatal(err)
			}
			got := f.seen()
			if got.Method != tc.method || got.RawPath != tc.path || got.Query != tc.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", got.Method, got.RawPath, got.Query, tc.method, tc.path, tc.query)
			}
			if !jsonEqual(got.Body, tc.body) {
				t.Errorf("body = %v, want %v", got.Body, tc.body)
			}
			if tc.body != nil {
				if ct := got.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
			}
			wantAuth := "Bearer tkp_test"
			if tc.noToken {
				wantAuth = ""
			}
			if a := got.Header.Get("Authorization"); a != wantAuth {
				t.Errorf("Authorization = %q, want %q", a, wantAuth)
			}
			for k, v := range tc.extraHead {
				if got.Header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.Header.Get(k), v)
				}
			}
		})
	}
}

func jsonEqual(a, b map[string]any) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestAPIErrors(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		body       string
		retryAfter string
		wantCode   string
		wantMsg    string
		wantRetry  time.Duration
		wantString string
	}{
		{"forbidden", 403, `{"error":{"code":"forbidden","message":"this submission belongs to another provider"}}`, "", CodeForbidden,
			"this submission belongs to another provider", 0, "forbidden: this submission belongs to another provider"},
		{"no leader", 503, `{"error":{"code":"no_leader","message":"the cluster has no leader right now"}}`, "2", CodeNoLeader,
			"the cluster has no leader right now", 2 * time.Second, "no_leader: the cluster has no leader right now"},
		{"not json", 502, `<html>bad gateway</html>`, "", "", "Bad Gateway", 0, "HTTP 502: Bad Gateway"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t)
			f.answer(tc.status, tc.body)
			if tc.retryAfter != "" {
				f.header = http.Header{"Retry-After": {tc.retryAfter}}
			}
			_, err := c.Submission(context.Background(), "s_1")
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if ae.Status != tc.status || ae.Code != tc.wantCode || ae.Message != tc.wantMsg || ae.RetryAfter != tc.wantRetry {
				t.Errorf("got %+v", ae)
			}
			if ae.Error() != tc.wantString {
				t.Errorf("Error() = %q, want %q", ae.Error(), tc.wantString)
			}
			if ae.Meta.Node != "n2" || ae.Meta.Index != 42 {
				t.Errorf("meta = %+v", ae.Meta)
			}
			if tc.wantCode != "" && !HasCode(err, tc.wantCode) {
				t.Errorf("HasCode(%q) = false", tc.wantCode)
			}
			if got, want := ae.Temporary(), tc.status == 503; got != want {
				t.Errorf("Temporary() = %v", got)
			}
		})
	}
}

func TestDecodesAnswersAndMeta(t *testing.T) {
	f, c := newFake(t)
	ctx := context.Background()
	f.answer(200, `{"submission":"s_1","inserted":14,"seq":1234,"revisionToken":"rt"}`)
	pub, err := c.Publish(ctx, PublishRequest{Code: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if pub.Submission != "s_1" || pub.Inserted != 14 || pub.Seq != 1234 || pub.RevisionToken != "rt" {
		t.Errorf("publish = %+v", pub)
	}
	if pub.Meta != (Meta{Node: "n2", Index: 42, Status: 200}) {
		t.Errorf("meta = %+v", pub.Meta)
	}

	f.answer(200, `{"since":3,"until":9,"reset":false,"more":true,"keys":[{"key":"AAAAAAAAAAAAAAAAAAAAAA==","rollingStartNumber":100,"rollingPeriod":144,"transmissionRisk":0,"reportType":"confirmed","daysSinceOnsetOfSymptoms":-2}],"revoked":[{"key":"AQ==","rollingStartNumber":5}]}`)
	d, err := c.Keys(ctx, KeysQuery{Since: 3})
	if err != nil {
		t.Fatal(err)
	}
	if d.Until != 9 || !d.More || len(d.Keys) != 1 || len(d.Revoked) != 1 || d.Keys[0].DaysSinceOnsetOfSymptoms == nil ||
		*d.Keys[0].DaysSinceOnsetOfSymptoms != -2 || d.Keys[0].ReportType != ReportConfirmed {
		t.Errorf("delta = %+v", d)
	}
	if b, err := d.Keys[0].Bytes(); err != nil || len(b) != 16 {
		t.Errorf("Bytes() = %v, %v", b, err)
	}

	f.answer(200, `{"leader":"n1","nodes":[{"id":"n1","dc":"dc1","httpAddr":"http://a","raftAddr":"a:1","state":"leader","voter":true,"alive":true,"appliedIndex":7,"lastContact":"0s"},{"id":"n2","lastContact":12.5},{"id":"n3","lastContact":null}]}`)
	cl, err := c.Cluster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Leader != "n1" || len(cl.Nodes) != 3 || cl.Nodes[0].LastContact != "0s" || cl.Nodes[1].LastContact != "12.5" || cl.Nodes[2].LastContact != "" {
		t.Errorf("cluster = %+v", cl)
	}

	f.answer(201, `{"codes":[{"code":"K7Q2-9XMD-3HPA-W4ZR","id":"a_1","expiresAt":"2026-11-22T10:00:00Z"}]}`)
	iss, err := c.IssueCodes(ctx, AuthorizationRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(iss.Codes) != 1 || !iss.Codes[0].ExpiresAt.Equal(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)) || iss.Meta.Status != 201 {
		t.Errorf("issued = %+v", iss)
	}
	if got := f.seen().Body; len(got) != 0 {
		t.Errorf("empty request sent fields %v", got)
	}

	f.answer(200, `{"provider":{"id":"p_1","name":"GGD","quotaPerDay":0,"suspended":true,"created":"2026-11-20T08:00:00Z"},"seq":8}`)
	ch, err := c.SuspendProvider(ctx, "p_1")
	if err != nil || !ch.Provider.Suspended || ch.Seq != 8 {
		t.Errorf("suspend = %+v, %v", ch, err)
	}

	f.answer(200, "not json")
	if _, err := c.Providers(ctx); !errors.Is(err, ErrUnexpectedResponse) {
		t.Errorf("bad JSON: err = %v, want ErrUnexpectedResponse", err)
	}
}

func TestBinaryAnswers(t *testing.T) {
	f, c := newFake(t)
	ctx := context.Background()
	f.ctype = "application/pdf"
	f.answer(201, "%PDF-1.4 cards")
	pdf, err := c.IssueCodesPDF(ctx, AuthorizationRequest{Count: 2})
	if err != nil || string(pdf.Data) != "%PDF-1.4 cards" {
		t.Fatalf("pdf = %q, %v", pdf.Data, err)
	}
	if a := f.seen().Header.Get("Accept"); a != "application/pdf" {
		t.Errorf("Accept = %q", a)
	}

	f.ctype = "application/octet-stream"
	f.answer(200, "snapshot-bytes")
	var sb strings.Builder
	n, meta, err := c.BackupTo(ctx, &sb)
	if err != nil || n != int64(len("snapshot-bytes")) || sb.String() != "snapshot-bytes" || meta.Node != "n2" {
		t.Fatalf("backup = %d %q %+v %v", n, sb.String(), meta, err)
	}

	f.ctype = "application/json"
	f.header = http.Header{"Etag": {`"abc"`}}
	body := `{"since":1,"until":5,"reset":false,"more":false,"keys":[],"revoked":[]}`
	f.answer(200, body)
	cp, err := c.Checkpoint(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	if string(cp.Body) != body || cp.Until != 5 || cp.ETag != "abc" || cp.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("checkpoint = %+v", cp)
	}

	f.ctype = "text/plain"
	f.answer(200, "exports/1.zip\n\nexports/2.zip\n")
	lines, _, err := c.ExportIndex(ctx)
	if err != nil || len(lines) != 2 || lines[1] != "exports/2.zip" {
		t.Errorf("index = %q, %v", lines, err)
	}
}

func TestKeyHelpers(t *testing.T) {
	var data [16]byte
	data[0] = 1
	k := NewKey(data, 2934720, 144)
	if k.Key != "AQAAAAAAAAAAAAAAAAAAAA==" || k.Ref() != (KeyRef{Key: k.Key, RollingStartNumber: 2934720}) {
		t.Errorf("key = %+v", k)
	}
	ts := time.Unix(2934720*600+3600, 0)
	if got := IntervalOf(ts); got != 2934726 {
		t.Errorf("IntervalOf = %d", got)
	}
	if got := DayStart(ts); got%144 != 0 || got > IntervalOf(ts) || IntervalOf(ts)-got >= 144 {
		t.Errorf("DayStart = %d", got)
	}
}

func TestContextCancel(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Keys(ctx, KeysQuery{Wait: time.Minute}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
