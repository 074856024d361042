package transport

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tekstore/tekstore/codes"
	"github.com/tekstore/tekstore/tek"
)

// hostileFixture is the state the hostile requests are aimed at.
type hostileFixture struct {
	alphaTok, betaTok, suspTok string
	alphaSub                   string // alpha's submission
	freshCode                  string // alpha's, unused and valid
	usedCode                   string // alpha's, used for alphaSub
	expiredCode                string
	suspCode                   string // issued by the suspended provider
	unknownCode                string // well-formed, never issued
}

func newHostileFixture(t *testing.T, e *testEnv) hostileFixture {
	t.Helper()
	var f hostileFixture
	f.alphaTok = e.provider("p_alpha", 0)
	f.betaTok = e.provider("p_beta", 0)
	f.suspTok = e.provider("p_susp", 0)
	f.suspCode = e.code("p_susp", time.Hour)
	e.suspend("p_susp")
	f.expiredCode = e.expiredCode("p_alpha")
	f.freshCode = e.code("p_alpha", time.Hour)
	f.usedCode = e.code("p_alpha", time.Hour)
	out, _ := e.publish(f.usedCode, pastKeys(t, 3))
	f.alphaSub = out.Submission
	c, err := codes.Generate()
	if err != nil {
		t.Fatal(err)
	}
	f.unknownCode = c.String()
	return f
}

// hostileCase is one malformed or hostile request and the error it must get.
type hostileCase struct {
	name   string
	req    req
	status int
	code   string
	msg    string // substring the message must hold, if set
}

// keysWith returns one valid key changed by mod, in a publish body.
func keysWith(t *testing.T, code string, mod func(k map[string]any)) string {
	k := randomKey(t, today()-tek.IntervalsPerDay)
	m := map[string]any{"key": k.Key, "rollingStartNumber": k.RollingStartNumber, "rollingPeriod": k.RollingPeriod, "transmissionRisk": 0}
	mod(m)
	return jsonBody(t, map[string]any{"code": code, "keys": []any{m}})
}

func b64(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }

func hostileCases(t *testing.T, f hostileFixture) []hostileCase {
	valid := func() []jsonKey { return pastKeys(t, 2) }
	pub := func(body string) req { return req{method: "POST", path: "/v1/publish", body: body} }
	good := publishBody(t, f.freshCode, valid())
	day := uint32(tek.IntervalsPerDay)
	sameStart := func(n int) []jsonKey {
		ks := make([]jsonKey, n)
		for i := range ks {
			ks[i] = randomKey(t, today()-2*day)
		}
		return ks
	}
	overlap := []jsonKey{randomKey(t, today()-2*day), randomKey(t, today()-2*day+72)}
	dup := valid()
	dup[1].Key = dup[0].Key
	dup[1].RollingStartNumber = dup[0].RollingStartNumber - day
	tooMany := make([]jsonKey, 31)
	for i := range tooMany {
		tooMany[i] = randomKey(t, today()-uint32(i%10+1)*day)
	}
	manyRefs := strings.Repeat(`{"key":"AAAAAAAAAAAAAAAAAAAAAA==","rollingStartNumber":1},`, 1001)
	manyRefs = `{"keys":[` + strings.TrimSuffix(manyRefs, ",") + `]}`
	admin, alpha, beta := testAdminToken, f.alphaTok, f.betaTok
	sub := "/v1/submissions/" + f.alphaSub

	return []hostileCase{
		// Content type and size.
		{"publish text/plain", req{method: "POST", path: "/v1/publish", body: good, contentType: "text/plain"}, 415, codeUnsupported, ""},
		{"publish form content type", req{method: "POST", path: "/v1/publish", body: good, contentType: "application/x-www-form-urlencoded"}, 415, codeUnsupported, ""},
		{"publish body without content type", req{method: "POST", path: "/v1/publish", body: good, contentType: "-"}, 415, codeUnsupported, ""},
		{"publish bad content type syntax", req{method: "POST", path: "/v1/publish", body: good, contentType: "application/json; ;"}, 415, codeUnsupported, ""},
		{"publish over 64 KiB", pub(`{"code":"` + bigString(publishBodyLimit) + `"}`), 413, codeTooLarge, ""},
		{"publish over 64 KiB chunked", req{method: "POST", path: "/v1/publish", body: `{"padding":"` + bigString(publishBodyLimit) + `"}`, chunked: true}, 413, codeTooLarge, ""},
		{"chaff over 64 KiB", req{method: "POST", path: "/v1/publish", body: bigString(publishBodyLimit + 1), headers: map[string]string{"X-Chaff": "1"}}, 413, codeTooLarge, ""},
		{"chaff text/plain", req{method: "POST", path: "/v1/publish", body: good, contentType: "text/plain", headers: map[string]string{"X-Chaff": "1"}}, 415, codeUnsupported, ""},

		// Malformed JSON.
		{"empty body", pub(""), 400, codeBadRequest, ""},
		{"not JSON", pub("code=K7Q2"), 400, codeBadRequest, ""},
		{"JSON null", pub("null"), 400, codeBadRequest, "code"},
		{"JSON array", pub("[]"), 400, codeBadRequest, ""},
		{"JSON string", pub(`"hello"`), 400, codeBadRequest, ""},
		{"truncated JSON", pub(good[:len(good)/2]), 400, codeBadRequest, ""},
		{"unknown field", pub(strings.Replace(good, `{"code"`, `{"admin":true,"code"`, 1)), 400, codeBadRequest, ""},
		{"unknown key field", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["sneaky"] = 1 })), 400, codeBadRequest, ""},
		{"trailing garbage", pub(good + " xyz"), 400, codeBadRequest, ""},
		{"trailing brace", pub(good + "}"), 400, codeBadRequest, ""},
		{"trailing bracket", pub(good + "]"), 400, codeBadRequest, ""},
		{"two objects", pub(good + good), 400, codeBadRequest, ""},
		{"fractional rollingStartNumber", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["rollingStartNumber"] = 2934720.5 })), 400, codeBadRequest, "rollingStartNumber"},
		{"rollingStartNumber as string", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["rollingStartNumber"] = "2934720" })), 400, codeBadRequest, ""},
		{"rollingStartNumber 1e30", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["rollingStartNumber"] = 1e30 })), 400, codeBadRequest, ""},
		{"keys is an object", pub(`{"code":"` + f.freshCode + `","keys":{}}`), 400, codeBadRequest, ""},
		{"code is a number", pub(`{"code":12,"keys":[]}`), 400, codeBadRequest, ""},

		// Key rules (spec §3).
		{"key not base64", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["key"] = "not*base64!" })), 400, codeBadRequest, "base64"},
		{"key missing", pub(keysWith(t, f.freshCode, func(k map[string]any) { delete(k, "key") })), 400, codeBadRequest, "key"},
		{"key 15 bytes", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["key"] = b64(15) })), 400, codeInvalidKey, "key 0"},
		{"key 17 bytes", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["key"] = b64(17) })), 400, codeInvalidKey, "key 0"},
		{"zero keys", pub(publishBody(t, f.freshCode, []jsonKey{})), 400, codeInvalidKey, "1 to 30"},
		{"31 keys", pub(publishBody(t, f.freshCode, tooMany)), 400, codeInvalidKey, "1 to 30"},
		{"keys missing", pub(`{"code":"` + f.freshCode + `"}`), 400, codeBadRequest, "keys"},
		{"period 0", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["rollingPeriod"] = 0 })), 400, codeInvalidKey, "rollingPeriod"},
		{"period 145", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["rollingPeriod"] = 145 })), 400, codeInvalidKey, "rollingPeriod"},
		{"risk 9", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["transmissionRisk"] = 9 })), 400, codeInvalidKey, "transmissionRisk"},
		{"risk -1", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["transmissionRisk"] = -1 })), 400, codeInvalidKey, "transmissionRisk"},
		{"onset 15", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["daysSinceOnsetOfSymptoms"] = 15 })), 400, codeInvalidKey, "daysSinceOnsetOfSymptoms"},
		{"onset -15", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["daysSinceOnsetOfSymptoms"] = -15 })), 400, codeInvalidKey, "daysSinceOnsetOfSymptoms"},
		{"negative start", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["rollingStartNumber"] = -1 })), 400, codeInvalidKey, "rollingStartNumber"},
		{"future start", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["rollingStartNumber"] = today() + 2*day })), 400, codeInvalidKey, "future"},
		{"too old", pub(keysWith(t, f.freshCode, func(k map[string]any) { k["rollingStartNumber"] = today() - 20*day })), 400, codeInvalidKey, "retention"},
		{"duplicate key", pub(publishBody(t, f.freshCode, dup)), 400, codeInvalidKey, "key 1"},
		{"4 keys same start", pub(publishBody(t, f.freshCode, sameStart(4))), 400, codeInvalidKey, "key 3"},
		{"overlapping windows", pub(publishBody(t, f.freshCode, overlap)), 400, codeInvalidKey, "overlaps"},

		// Codes.
		{"code missing", pub(jsonBody(t, map[string]any{"keys": valid()})), 400, codeBadRequest, "code"},
		{"code empty", pub(publishBody(t, "", valid())), 400, codeBadRequest, "code"},
		{"code blank", pub(publishBody(t, "   ", valid())), 400, codeBadRequest, "code"},
		{"code mistyped check character", pub(publishBody(t, mutateLastChar(f.freshCode), valid())), 403, codeCodeInvalid, "typo"},
		{"code too short", pub(publishBody(t, f.freshCode[:10], valid())), 403, codeCodeInvalid, ""},
		{"code with foreign characters", pub(publishBody(t, "K7Q2-9XMD-3HPA-W4Z!", valid())), 403, codeCodeInvalid, ""},
		{"code huge", pub(publishBody(t, bigString(5000), valid())), 403, codeCodeInvalid, ""},
		{"code unknown", pub(publishBody(t, f.unknownCode, valid())), 403, codeCodeInvalid, "unknown"},
		{"code expired", pub(publishBody(t, f.expiredCode, valid())), 403, codeCodeInvalid, "expired"},
		{"code used for other keys", pub(publishBody(t, f.usedCode, valid())), 409, codeCodeUsed, ""},
		{"code of suspended provider", pub(publishBody(t, f.suspCode, valid())), 403, codeCodeInvalid, "suspended"},
		{"GET publish", req{method: "GET", path: "/v1/publish"}, 405, codeMethodNotAllow, ""},

		// App de-registration.
		{"revoke unknown revisionToken", req{method: "POST", path: "/v1/publish/revoke", body: `{"revisionToken":"bm9wZQ"}`}, 404, codeNotFound, ""},
		{"revoke missing revisionToken", req{method: "POST", path: "/v1/publish/revoke", body: `{}`}, 400, codeBadRequest, "revisionToken"},
		{"revoke revisionToken number", req{method: "POST", path: "/v1/publish/revoke", body: `{"revisionToken":7}`}, 400, codeBadRequest, ""},

		// Key reads.
		{"since negative", req{method: "GET", path: "/v1/keys?since=-1"}, 400, codeBadRequest, "since"},
		{"since not a number", req{method: "GET", path: "/v1/keys?since=abc"}, 400, codeBadRequest, "since"},
		{"limit 0", req{method: "GET", path: "/v1/keys?limit=0"}, 400, codeBadRequest, "limit"},
		{"limit 100001", req{method: "GET", path: "/v1/keys?limit=100001"}, 400, codeBadRequest, "limit"},
		{"wait 61s", req{method: "GET", path: "/v1/keys?since=1&wait=61s"}, 400, codeBadRequest, "wait"},
		{"wait 3600 seconds", req{method: "GET", path: "/v1/keys?since=1&wait=3600"}, 400, codeBadRequest, "wait"},
		{"wait negative", req{method: "GET", path: "/v1/keys?wait=-1s"}, 400, codeBadRequest, "wait"},
		{"wait garbage", req{method: "GET", path: "/v1/keys?wait=forever"}, 400, codeBadRequest, "wait"},
		{"min_index not a number", req{method: "GET", path: "/v1/keys?min_index=abc"}, 400, codeBadRequest, "min_index"},
		{"min_index negative", req{method: "GET", path: "/v1/keys?min_index=-5"}, 400, codeBadRequest, "min_index"},
		{"min_index with wait 61s", req{method: "GET", path: "/v1/keys?min_index=1&wait=61s"}, 400, codeBadRequest, "wait"},
		{"DELETE keys", req{method: "DELETE", path: "/v1/keys"}, 405, codeMethodNotAllow, ""},

		// Tokens and roles.
		{"authorizations without token", req{method: "POST", path: "/v1/authorizations", body: `{}`}, 401, codeUnauthn, ""},
		{"authorizations unknown token", req{method: "POST", path: "/v1/authorizations", body: `{}`, token: "tkp_nope"}, 401, codeUnauthn, ""},
		{"authorizations basic auth", req{method: "POST", path: "/v1/authorizations", body: `{}`, headers: map[string]string{"Authorization": "Basic YWRtaW46YWRtaW4="}}, 401, codeUnauthn, ""},
		{"authorizations empty bearer", req{method: "POST", path: "/v1/authorizations", body: `{}`, headers: map[string]string{"Authorization": "Bearer "}}, 401, codeUnauthn, ""},
		{"authorizations admin token", req{method: "POST", path: "/v1/authorizations", body: `{}`, token: admin}, 403, codeForbidden, ""},
		{"authorizations suspended provider", req{method: "POST", path: "/v1/authorizations", body: `{}`, token: f.suspTok}, 403, codeForbidden, "suspended"},
		{"provider token adds provider", req{method: "POST", path: "/v1/providers", body: `{"name":"x"}`, token: alpha}, 403, codeForbidden, "admin"},
		{"provider token lists providers", req{method: "GET", path: "/v1/providers", token: alpha}, 403, codeForbidden, ""},
		{"provider token suspends provider", req{method: "POST", path: "/v1/providers/p_beta/suspend", token: alpha}, 403, codeForbidden, ""},
		{"provider token rolls back provider", req{method: "POST", path: "/v1/providers/p_beta/rollback", body: `{"since":"2026-01-01T00:00:00Z"}`, token: alpha}, 403, codeForbidden, ""},
		{"providers without token", req{method: "GET", path: "/v1/providers"}, 401, codeUnauthn, ""},
		{"submissions without token", req{method: "GET", path: "/v1/submissions"}, 401, codeUnauthn, ""},

		// Authorizations.
		{"count 0", req{method: "POST", path: "/v1/authorizations", body: `{"count":0}`, token: alpha}, 400, codeBadRequest, "count"},
		{"count 1001", req{method: "POST", path: "/v1/authorizations", body: `{"count":1001}`, token: alpha}, 400, codeBadRequest, "count"},
		{"count fractional", req{method: "POST", path: "/v1/authorizations", body: `{"count":1.5}`, token: alpha}, 400, codeBadRequest, ""},
		{"ttl over max", req{method: "POST", path: "/v1/authorizations", body: `{"ttl":"721h"}`, token: alpha}, 400, codeBadRequest, "ttl"},
		{"ttl negative", req{method: "POST", path: "/v1/authorizations", body: `{"ttl":"-1h"}`, token: alpha}, 400, codeBadRequest, "ttl"},
		{"ttl garbage", req{method: "POST", path: "/v1/authorizations", body: `{"ttl":"two days"}`, token: alpha}, 400, codeBadRequest, "ttl"},
		{"bad reportType", req{method: "POST", path: "/v1/authorizations", body: `{"reportType":"revoked"}`, token: alpha}, 400, codeBadRequest, "reportType"},
		{"onset in the future", req{method: "POST", path: "/v1/authorizations", body: `{"onset":"` + time.Now().AddDate(0, 0, 3).Format("2006-01-02") + `"}`, token: alpha}, 400, codeBadRequest, "onset"},
		{"onset not a date", req{method: "POST", path: "/v1/authorizations", body: `{"onset":"20/11/2026"}`, token: alpha}, 400, codeBadRequest, "onset"},
		{"authorizations unknown field", req{method: "POST", path: "/v1/authorizations", body: `{"count":1,"provider":"p_beta"}`, token: alpha}, 400, codeBadRequest, ""},

		// Submissions.
		{"another provider's submission", req{method: "GET", path: sub, token: beta}, 403, codeForbidden, ""},
		{"rollback another provider's submission", req{method: "POST", path: sub + "/rollback", body: `{"reason":"x"}`, token: beta}, 403, codeForbidden, ""},
		{"unknown submission", req{method: "GET", path: "/v1/submissions/s_0000000000000000", token: alpha}, 404, codeNotFound, ""},
		{"rollback huge reason", req{method: "POST", path: sub + "/rollback", body: jsonBody(t, map[string]string{"reason": bigString(maxReasonLen + 1)}), token: alpha}, 400, codeBadRequest, "reason"},
		{"rollback unknown field", req{method: "POST", path: sub + "/rollback", body: `{"why":"x"}`, token: alpha}, 400, codeBadRequest, ""},
		{"submissions since garbage", req{method: "GET", path: "/v1/submissions?since=yesterday", token: alpha}, 400, codeBadRequest, "since"},

		// Malformed ids in paths: 400/404 in the error shape, never a redirect.
		{"provider id with encoded slash", req{method: "GET", path: "/v1/providers/p_..%2F..", token: admin}, 404, codeNotFound, ""},
		{"provider id with dots", req{method: "GET", path: "/v1/providers/p.alpha", token: admin}, 404, codeNotFound, ""},
		{"provider id dot-dot segment", req{method: "GET", path: "/v1/providers/../providers", token: admin}, 404, codeNotFound, ""},
		{"provider id percent-encoded", req{method: "GET", path: "/v1/providers/%70_alpha", token: admin}, 404, codeNotFound, ""},
		{"provider id with percent", req{method: "GET", path: "/v1/providers/p_%25alpha", token: admin}, 404, codeNotFound, ""},
		{"suspend through dot-dot", req{method: "POST", path: "/v1/providers/p_alpha/../p_beta/suspend", token: admin}, 404, codeNotFound, ""},
		{"suspend encoded dot-dot", req{method: "POST", path: "/v1/providers/..%2Fp_beta/suspend", token: admin}, 404, codeNotFound, ""},
		{"submission id encoded slash", req{method: "GET", path: "/v1/submissions/s_a%2Fb", token: alpha}, 404, codeNotFound, ""},
		{"submission id encoded dots", req{method: "GET", path: "/v1/submissions/%2e%2e", token: alpha}, 404, codeNotFound, ""},
		{"submission id too long", req{method: "GET", path: "/v1/submissions/s_" + bigString(100), token: alpha}, 404, codeNotFound, ""},
		{"double slash", req{method: "GET", path: "//v1/keys"}, 404, codeNotFound, ""},
		{"trailing slash", req{method: "GET", path: "/v1/keys/"}, 404, codeNotFound, ""},
		{"dot segment", req{method: "GET", path: "/v1/./keys"}, 404, codeNotFound, ""},
		{"unknown route", req{method: "GET", path: "/v1/nope"}, 404, codeNotFound, ""},
		{"root", req{method: "GET", path: "/"}, 404, codeNotFound, ""},
		{"PUT providers", req{method: "PUT", path: "/v1/providers", body: `{}`, token: admin}, 405, codeMethodNotAllow, ""},

		// Providers (admin).
		{"provider name missing", req{method: "POST", path: "/v1/providers", body: `{}`, token: admin}, 400, codeBadRequest, "name"},
		{"provider name blank", req{method: "POST", path: "/v1/providers", body: `{"name":"  "}`, token: admin}, 400, codeBadRequest, "name"},
		{"provider name too long", req{method: "POST", path: "/v1/providers", body: jsonBody(t, map[string]string{"name": bigString(maxProviderName + 1)}), token: admin}, 400, codeBadRequest, "name"},
		{"provider quota negative", req{method: "POST", path: "/v1/providers", body: `{"name":"x","quotaPerDay":-1}`, token: admin}, 400, codeBadRequest, "quotaPerDay"},
		{"provider null body", req{method: "POST", path: "/v1/providers", body: `null`, token: admin}, 400, codeBadRequest, "name"},
		{"provider rollback until before since", req{method: "POST", path: "/v1/providers/p_alpha/rollback", body: `{"since":"2026-02-01T00:00:00Z","until":"2026-01-01T00:00:00Z"}`, token: admin}, 400, codeBadRequest, "until"},
		{"provider rollback until equals since", req{method: "POST", path: "/v1/providers/p_alpha/rollback", body: `{"since":"2026-02-01T00:00:00Z","until":"2026-02-01T00:00:00Z"}`, token: admin}, 400, codeBadRequest, "until"},
		{"provider rollback since missing", req{method: "POST", path: "/v1/providers/p_alpha/rollback", body: `{}`, token: admin}, 400, codeBadRequest, "since"},
		{"provider rollback since not RFC 3339", req{method: "POST", path: "/v1/providers/p_alpha/rollback", body: `{"since":"yesterday"}`, token: admin}, 400, codeBadRequest, "since"},
		{"provider rollback unknown provider", req{method: "POST", path: "/v1/providers/p_nobody/rollback", body: `{"since":"2026-01-01T00:00:00Z"}`, token: admin}, 404, codeNotFound, ""},
		{"suspend unknown provider", req{method: "POST", path: "/v1/providers/p_nobody/suspend", token: admin}, 404, codeNotFound, ""},
		{"get unknown provider", req{method: "GET", path: "/v1/providers/p_nobody", token: admin}, 404, codeNotFound, ""},

		// Single-key revocations.
		{"revocations without keys", req{method: "POST", path: "/v1/revocations", body: `{"keys":[]}`, token: admin}, 400, codeBadRequest, "keys"},
		{"revocations 1001 keys", req{method: "POST", path: "/v1/revocations", body: manyRefs, token: admin}, 400, codeBadRequest, "keys"},
		{"revocations huge reason", req{method: "POST", path: "/v1/revocations", body: jsonBody(t, map[string]any{"keys": []map[string]any{{"key": b64(16), "rollingStartNumber": 1}}, "reason": bigString(maxReasonLen + 1)}), token: admin}, 400, codeBadRequest, "reason"},
		{"revocations key not base64", req{method: "POST", path: "/v1/revocations", body: `{"keys":[{"key":"%%%","rollingStartNumber":1}]}`, token: admin}, 400, codeBadRequest, "base64"},
		{"revocations key 15 bytes", req{method: "POST", path: "/v1/revocations", body: `{"keys":[{"key":"` + b64(15) + `","rollingStartNumber":1}]}`, token: admin}, 400, codeInvalidKey, "key 0"},
		{"revocations without start", req{method: "POST", path: "/v1/revocations", body: `{"keys":[{"key":"` + b64(16) + `"}]}`, token: beta}, 400, codeBadRequest, "rollingStartNumber"},
	}
}

// TestHostileRequests sends malformed and hostile requests and checks each
// gets its status and error code in the spec's shape, with the node headers,
// no redirect, no proposal and no change of state.
func TestHostileRequests(t *testing.T) {
	e := newEnv(t)
	f := newHostileFixture(t, e)
	cases := hostileCases(t, f)
	if len(cases) < 40 {
		t.Fatalf("only %d hostile cases", len(cases))
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			digest, index, proposed := e.store.state.Digest(), e.store.AppliedIndex(), e.store.proposed.Load()
			r := e.do(tc.req)
			if r.status != tc.status {
				t.Fatalf("%s: status = %d, want %d; body %s", describe(tc.req), r.status, tc.status, r.body)
			}
			if loc := r.header.Get("Location"); loc != "" {
				t.Fatalf("%s: Location %q on an error", describe(tc.req), loc)
			}
			d := errorOf(t, r)
			if d.Code != tc.code {
				t.Fatalf("%s: code = %q, want %q (message %q)", describe(tc.req), d.Code, tc.code, d.Message)
			}
			if tc.msg != "" && !strings.Contains(d.Message, tc.msg) {
				t.Fatalf("%s: message %q does not mention %q", describe(tc.req), d.Message, tc.msg)
			}
			e.wantNodeHeaders(r)
			if got := r.header.Get("X-Tekstore-Index"); got != uintString(index) {
				t.Fatalf("X-Tekstore-Index = %s, want %d", got, index)
			}
			if got := e.store.proposed.Load(); got != proposed {
				t.Fatalf("%s: Propose called %d times", describe(tc.req), got-proposed)
			}
			if got := e.store.state.Digest(); got != digest {
				t.Fatalf("%s: state digest changed", describe(tc.req))
			}
		})
	}
	// The fixture's code still works after all that: nothing was consumed.
	e.t = t
	r := e.do(req{method: "POST", path: "/v1/publish", body: publishBody(t, f.freshCode, pastKeys(t, 2))})
	r.wantStatus(t, http.StatusOK)
}
