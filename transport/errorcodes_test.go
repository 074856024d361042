package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/tekstore/tekstore/codes"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/proto"
)

// specErrorCodes are the error codes of spec §2.
var specErrorCodes = []string{
	codeBadRequest, codeInvalidKey, codeUnauthn, codeForbidden, codeCodeInvalid, codeCodeUsed,
	codeNotFound, codeTooLarge, codeUnsupported, codeRateLimited, codeNoLeader, codeNotCaughtUp,
	codeUnavailable,
}

// TestToAPIError checks the one error mapping with wrapped errors, as the
// handlers meet them.
func TestToAPIError(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("context: %w", err) }
	cases := []struct {
		err        error
		status     int
		code       string
		retryAfter bool
	}{
		{&fsm.KeyError{Index: 3, Rule: "rollingPeriod must be 1..144"}, 400, codeInvalidKey, false},
		{wrap(fsm.ErrInvalidKey), 400, codeInvalidKey, false},
		{wrap(codes.ErrCheck), 403, codeCodeInvalid, false},
		{wrap(codes.ErrMalformed), 403, codeCodeInvalid, false},
		{wrap(fsm.ErrCodeInvalid), 403, codeCodeInvalid, false},
		{wrap(fsm.ErrCodeExpired), 403, codeCodeInvalid, false},
		{wrap(fsm.ErrProviderSuspend), 403, codeCodeInvalid, false},
		{wrap(fsm.ErrCodeUsed), 409, codeCodeUsed, false},
		{wrap(fsm.ErrForbidden), 403, codeForbidden, false},
		{wrap(fsm.ErrNotFound), 404, codeNotFound, false},
		{wrap(fsm.ErrQuotaExceeded), 429, codeRateLimited, true},
		{wrap(fsm.ErrBadCommand), 400, codeBadRequest, false},
		{wrap(fsm.ErrExists), 409, codeConflict, false},
		{wrap(fsm.ErrFeatureLevel), 503, codeUnavailable, true},
		{wrap(cluster.ErrNoLeader), 503, codeNoLeader, true},
		{wrap(cluster.ErrNotLeader), 503, codeNoLeader, true},
		{wrap(cluster.ErrNotCaughtUp), 503, codeNotCaughtUp, true},
		{wrap(cluster.ErrLeadershipLost), 503, codeUnavailable, true},
		{wrap(cluster.ErrShutdown), 503, codeUnavailable, true},
		{wrap(badRequest("x")), 400, codeBadRequest, false},
		{errors.New("disk on fire"), 500, codeInternal, false},
	}
	for _, tc := range cases {
		got := toAPIError(tc.err)
		if got.status != tc.status || got.code != tc.code {
			t.Errorf("toAPIError(%v) = %d %s, want %d %s", tc.err, got.status, got.code, tc.status, tc.code)
		}
		if (got.retryAfter > 0) != tc.retryAfter {
			t.Errorf("toAPIError(%v) retryAfter = %d, want set: %v", tc.err, got.retryAfter, tc.retryAfter)
		}
		if got.msg == "" || got.msg == "disk on fire" {
			t.Errorf("toAPIError(%v) message %q: want a sentence that hides internals", tc.err, got.msg)
		}
	}
}

// TestSpecErrorCodes hits every error code of spec §2 through HTTP and
// checks the shape, the node headers and Retry-After on 429 and 503.
func TestSpecErrorCodes(t *testing.T) {
	noLeader := func(st *fakeStore) {
		st.IsLeaderFunc = func() bool { return false }
		st.LeaderFunc = func() (string, string, bool) { return "", "", false }
	}
	failPropose := func(err error) func(*fakeStore) {
		return func(st *fakeStore) {
			st.ProposeFunc = func(context.Context, fsmpb.CommandType, proto.Message) (fsm.Result, error) {
				return fsm.Result{}, fmt.Errorf("raft apply: %w", err)
			}
		}
	}
	cases := []struct {
		name   string
		store  func(*fakeStore)
		send   func(e *testEnv) req
		status int
		code   string
	}{
		{"bad_request", nil, func(e *testEnv) req {
			return req{method: "POST", path: "/v1/publish", body: `{}`}
		}, 400, codeBadRequest},
		{"invalid_key", nil, func(e *testEnv) req {
			c, err := codes.Generate()
			if err != nil {
				e.t.Fatal(err)
			}
			return req{method: "POST", path: "/v1/publish", body: keysWith(e.t, c.String(), func(k map[string]any) { k["rollingPeriod"] = 200 })}
		}, 400, codeInvalidKey},
		{"unauthenticated", nil, func(e *testEnv) req {
			return req{method: "GET", path: "/v1/submissions"}
		}, 401, codeUnauthn},
		{"forbidden", nil, func(e *testEnv) req {
			return req{method: "GET", path: "/v1/providers", token: e.provider("p_a", 0)}
		}, 403, codeForbidden},
		{"code_invalid", nil, func(e *testEnv) req {
			e.provider("p_a", 0)
			return req{method: "POST", path: "/v1/publish", body: publishBody(e.t, mutateLastChar(e.code("p_a", time.Hour)), pastKeys(e.t, 1))}
		}, 403, codeCodeInvalid},
		{"code_used", nil, func(e *testEnv) req {
			e.provider("p_a", 0)
			c := e.code("p_a", time.Hour)
			e.publish(c, pastKeys(e.t, 2))
			return req{method: "POST", path: "/v1/publish", body: publishBody(e.t, c, pastKeys(e.t, 2))}
		}, 409, codeCodeUsed},
		{"not_found", nil, func(e *testEnv) req {
			return req{method: "GET", path: "/v1/submissions/s_0123456789abcdef", token: testAdminToken}
		}, 404, codeNotFound},
		{"too_large", nil, func(e *testEnv) req {
			return req{method: "POST", path: "/v1/providers", body: `{"name":"` + bigString(smallBodyLimit) + `"}`, token: testAdminToken}
		}, 413, codeTooLarge},
		{"unsupported_media_type", nil, func(e *testEnv) req {
			return req{method: "POST", path: "/v1/publish/revoke", body: `{"revisionToken":"x"}`, contentType: "application/xml"}
		}, 415, codeUnsupported},
		{"rate_limited by the provider quota", nil, func(e *testEnv) req {
			return req{method: "POST", path: "/v1/authorizations", body: `{"count":3}`, token: e.provider("p_q", 2)}
		}, 429, codeRateLimited},
		{"no_leader before proposing", noLeader, func(e *testEnv) req {
			return req{method: "POST", path: "/v1/providers", body: `{"name":"GGD"}`, token: testAdminToken}
		}, 503, codeNoLeader},
		{"no_leader from readyz", noLeader, func(e *testEnv) req {
			return req{method: "GET", path: "/readyz"}
		}, 503, codeNoLeader},
		{"no_leader from Propose", failPropose(cluster.ErrNoLeader), func(e *testEnv) req {
			return req{method: "POST", path: "/v1/providers", body: `{"name":"GGD"}`, token: testAdminToken}
		}, 503, codeNoLeader},
		{"not_leader from Propose", failPropose(cluster.ErrNotLeader), func(e *testEnv) req {
			return req{method: "POST", path: "/v1/providers", body: `{"name":"GGD"}`, token: testAdminToken}
		}, 503, codeNoLeader},
		{"not_caught_up", nil, func(e *testEnv) req {
			return req{method: "GET", path: "/v1/keys?since=0&min_index=1000&wait=50ms"}
		}, 503, codeNotCaughtUp},
		{"not_caught_up on an admin read", nil, func(e *testEnv) req {
			return req{method: "GET", path: "/v1/providers?min_index=1000&wait=20ms", token: testAdminToken}
		}, 503, codeNotCaughtUp},
		{"unavailable after leadership loss", failPropose(cluster.ErrLeadershipLost), func(e *testEnv) req {
			e.provider("p_a", 0)
			return req{method: "POST", path: "/v1/publish", body: publishBody(e.t, e.code("p_a", time.Hour), pastKeys(e.t, 1))}
		}, 503, codeUnavailable},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeStore(t, "n1")
			if tc.store != nil {
				tc.store(st)
			}
			e := newEnvOn(t, st)
			r := e.do(tc.send(e))
			r.wantStatus(t, tc.status)
			d := errorOf(t, r)
			if d.Code != tc.code {
				t.Fatalf("code = %q, want %q (%s)", d.Code, tc.code, d.Message)
			}
			e.wantNodeHeaders(r)
			if tc.status == 429 || tc.status == 503 {
				ra, err := strconv.Atoi(r.header.Get("Retry-After"))
				if err != nil || ra < 1 {
					t.Fatalf("Retry-After = %q, want whole seconds >= 1", r.header.Get("Retry-After"))
				}
			}
			seen[d.Code] = true
		})
	}
	for _, c := range specErrorCodes {
		if !seen[c] {
			t.Errorf("spec error code %q is not hit by any case", c)
		}
	}
}

// TestMessagesNeverEchoSecrets checks that refusals do not repeat the code
// or key they refuse.
func TestMessagesNeverEchoSecrets(t *testing.T) {
	e := newEnv(t)
	e.provider("p_a", 0)
	code := e.code("p_a", time.Hour)
	bad := mutateLastChar(code)
	keys := pastKeys(t, 1)
	keys[0].RollingPeriod = 0
	for _, body := range []string{
		publishBody(t, bad, pastKeys(t, 1)),
		publishBody(t, code, keys),
	} {
		r := e.do(req{method: "POST", path: "/v1/publish", body: body})
		d := errorOf(t, r)
		for _, secret := range []string{code, bad, keys[0].Key} {
			if containsFold(d.Message, secret) {
				t.Fatalf("message %q repeats a secret", d.Message)
			}
		}
	}
	if r := e.do(req{method: "GET", path: "/healthz"}); r.status != http.StatusOK {
		t.Fatalf("healthz = %d", r.status)
	}
}

func containsFold(s, sub string) bool {
	return sub != "" && strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
