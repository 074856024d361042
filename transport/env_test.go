package transport

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/codes"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/secrets"
	"github.com/tekstore/tekstore/tek"
)

// testAdminToken is the admin token of every test API.
const testAdminToken = "tka_transport-test-admin"

// testEnv is one API on a fake store behind a real HTTP listener.
type testEnv struct {
	t      *testing.T
	store  *fakeStore
	api    *Server
	srv    *httptest.Server
	client *http.Client
	pepper secrets.Pepper
}

// newEnv starts an API on a fresh fake store; cfg may adjust the config.
func newEnv(t *testing.T, cfg ...func(*Config)) *testEnv {
	t.Helper()
	return newEnvOn(t, newFakeStore(t, "n1"), cfg...)
}

// newEnvOn starts an API on st; set st's function fields before calling.
func newEnvOn(t *testing.T, st *fakeStore, cfg ...func(*Config)) *testEnv {
	t.Helper()
	return startEnv(t, st, false, cfg...)
}

// startEnv starts an API on st; with park, behind the API's parking
// listener (Server.Listener), so that its long polls park outside net/http.
func startEnv(t *testing.T, st *fakeStore, park bool, cfg ...func(*Config)) *testEnv {
	t.Helper()
	c := Config{
		Store:          st,
		AdminTokenHash: secrets.TokenHash(testAdminToken),
		Pepper:         secrets.DerivePepper(testAdminToken),
		Logger:         zerolog.Nop(),
		// The per-client budgets are another test's subject; here every
		// request comes from 127.0.0.1 and must reach its handler.
		Limits: Limits{PublishPerSec: -1, FailedCodesPerHour: -1, ReadsPerSec: -1, TokenPerSec: -1},
	}
	for _, f := range cfg {
		f(&c)
	}
	api := New(c)
	srv := httptest.NewUnstartedServer(api.Handler())
	if park {
		srv.Listener = api.Listener(srv.Listener, nil)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	client := &http.Client{
		Timeout: 30 * time.Second,
		// Never follow redirects: the tests assert there are none.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if park {
		// No transparent gzip: the long-poll tests compare bytes as sent.
		client.Transport = &http.Transport{DisableCompression: true}
	}
	return &testEnv{t: t, store: st, api: api, srv: srv, client: client, pepper: c.Pepper}
}

// req describes one HTTP request of a test.
type req struct {
	method      string
	path        string // raw request URI, sent as written
	token       string
	body        string
	contentType string // "" with a body means application/json; "-" means none
	headers     map[string]string
	chunked     bool // hide the length (Transfer-Encoding: chunked)
}

// resp is a finished answer.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// do sends r and reads the whole answer, failing the test on a transport
// error.
func (e *testEnv) do(r req) resp {
	e.t.Helper()
	out, err := e.send(r)
	if err != nil {
		e.t.Fatalf("%s: %v", describe(r), err)
	}
	return out
}

// doAsync is do for goroutines other than the test's: a transport error
// comes back as status 0 with the error text as body.
func (e *testEnv) doAsync(r req) resp {
	out, err := e.send(r)
	if err != nil {
		return resp{body: []byte(err.Error())}
	}
	return out
}

func (e *testEnv) send(r req) (resp, error) {
	var rd io.Reader = strings.NewReader(r.body)
	if r.chunked {
		rd = io.MultiReader(strings.NewReader(r.body)) // unknown length
	}
	hr, err := http.NewRequest(r.method, e.srv.URL+r.path, rd)
	if err != nil {
		return resp{}, fmt.Errorf("new request: %w", err)
	}
	if r.body == "" && !r.chunked {
		hr.Body, hr.ContentLength = http.NoBody, 0
	}
	switch {
	case r.contentType == "-":
	case r.contentType != "":
		hr.Header.Set("Content-Type", r.contentType)
	case r.body != "":
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	res, err := e.client.Do(hr)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, fmt.Errorf("read body: %w", err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}, nil
}

// jsonBody marshals v for a request body.
func jsonBody(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

// decode parses an answer body into v, failing the test on error.
func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

// wantStatus fails unless the answer has the status.
func (r resp) wantStatus(t testing.TB, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body %s", r.status, want, r.body)
	}
}

// errorOf checks that the body is exactly the spec's error shape and
// returns it.
func errorOf(t testing.TB, r resp) errorDetail {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &top); err != nil {
		t.Fatalf("error body %q is not a JSON object: %v", r.body, err)
	}
	if len(top) != 1 || top["error"] == nil {
		t.Fatalf("error body %s: want exactly one field \"error\"", r.body)
	}
	dec := json.NewDecoder(bytes.NewReader(top["error"]))
	dec.DisallowUnknownFields()
	var d errorDetail
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("error body %s: %v", r.body, err)
	}
	if d.Code == "" || d.Message == "" {
		t.Fatalf("error body %s: code and message must be set", r.body)
	}
	for _, c := range d.Code {
		if (c < 'a' || c > 'z') && c != '_' {
			t.Fatalf("error code %q is not snake_case", d.Code)
		}
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error Content-Type = %q", ct)
	}
	return d
}

// wantNodeHeaders checks the headers every answer carries.
func (e *testEnv) wantNodeHeaders(r resp) {
	e.t.Helper()
	if got := r.header.Get("X-Tekstore-Node"); got != e.store.ID() {
		e.t.Fatalf("X-Tekstore-Node = %q, want %q", got, e.store.ID())
	}
	idx := r.header.Get("X-Tekstore-Index")
	if _, err := strconv.ParseUint(idx, 10, 64); err != nil {
		e.t.Fatalf("X-Tekstore-Index = %q, want a number", idx)
	}
}

// provider creates a provider directly in the state and returns its token.
func (e *testEnv) provider(id string, quota uint32) string {
	e.t.Helper()
	tok := "tkp_" + id + "-token"
	th := secrets.TokenHash(tok)
	e.store.mustApply(time.Now(), fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER,
		&fsmpb.CreateProvider{Id: id, Name: "Provider " + id, TokenHash: th[:], QuotaPerDay: quota})
	return tok
}

// suspend sets a provider's suspension directly in the state.
func (e *testEnv) suspend(id string) {
	e.t.Helper()
	e.store.mustApply(time.Now(), fsmpb.CommandType_COMMAND_TYPE_SET_PROVIDER_SUSPENDED,
		&fsmpb.SetProviderSuspended{Id: id, Suspended: true})
}

// code issues one confirmed code of provider, valid for ttl from now.
func (e *testEnv) code(provider string, ttl time.Duration) string {
	e.t.Helper()
	now := time.Now()
	if sn := e.store.state.Now(); sn.After(now) {
		now = sn
	}
	c, err := codes.Generate()
	if err != nil {
		e.t.Fatal(err)
	}
	h := secrets.CodeHash(e.pepper, c)
	id, err := secrets.NewID(secrets.AuthorizationIDPrefix)
	if err != nil {
		e.t.Fatal(err)
	}
	e.store.mustApply(now, fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, &fsmpb.IssueAuthorizations{
		ProviderId: provider, ReportType: uint32(tek.ReportConfirmed),
		ExpiresUnixMs: now.Add(ttl).UnixMilli(), Authorizations: []*fsmpb.Authorization{{Id: id, CodeHash: h[:]}},
	})
	return c.String()
}

// expiredCode issues a code and moves the leader time past its expiry.
func (e *testEnv) expiredCode(provider string) string {
	e.t.Helper()
	c := e.code(provider, time.Second)
	e.store.mustApply(time.Now().Add(2*time.Second), fsmpb.CommandType_COMMAND_TYPE_TICK, &fsmpb.Tick{})
	return c
}

// jsonKey is a key in the API's JSON form.
type jsonKey struct {
	Key                      string `json:"key"`
	RollingStartNumber       uint32 `json:"rollingStartNumber"`
	RollingPeriod            int    `json:"rollingPeriod"`
	TransmissionRisk         int    `json:"transmissionRisk"`
	ReportType               string `json:"reportType,omitempty"`
	DaysSinceOnsetOfSymptoms *int   `json:"daysSinceOnsetOfSymptoms,omitempty"`
}

// today is the first interval of the current UTC day.
func today() uint32 {
	return tek.IntervalOf(time.Now()) / tek.IntervalsPerDay * tek.IntervalsPerDay
}

// randomKey returns a valid full-day key starting at start.
func randomKey(t testing.TB, start uint32) jsonKey {
	t.Helper()
	var b [tek.KeyLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return jsonKey{Key: base64.StdEncoding.EncodeToString(b[:]), RollingStartNumber: start, RollingPeriod: tek.MaxRollingPeriod}
}

// pastKeys returns n valid full-day keys for the n days before today.
func pastKeys(t testing.TB, n int) []jsonKey {
	t.Helper()
	out := make([]jsonKey, n)
	for i := range out {
		out[i] = randomKey(t, today()-uint32(i+1)*tek.IntervalsPerDay)
	}
	return out
}

// publishBody is a publish request body.
func publishBody(t testing.TB, code string, keys []jsonKey) string {
	t.Helper()
	return jsonBody(t, map[string]any{"code": code, "keys": keys})
}

// publish uploads keys with code and requires success.
func (e *testEnv) publish(code string, keys []jsonKey) (publishResponse, resp) {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/v1/publish", body: publishBody(e.t, code, keys)})
	r.wantStatus(e.t, http.StatusOK)
	var out publishResponse
	r.decode(e.t, &out)
	return out, r
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// mutateLastChar returns code with its check character replaced.
func mutateLastChar(code string) string {
	last := code[len(code)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return code[:len(code)-1] + string(repl)
}

// bigString returns n bytes of filler.
func bigString(n int) string { return strings.Repeat("a", n) }

// uintString formats an index as the headers carry it.
func uintString(n uint64) string { return strconv.FormatUint(n, 10) }

func describe(r req) string { return fmt.Sprintf("%s %s", r.method, r.path) }
