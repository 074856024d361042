package transport

import (
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"
)

// limitedEnv is an API with small, real budgets and 127.0.0.0/8 trusted as
// a proxy, so that each test client can claim its own address.
func limitedEnv(t *testing.T, l Limits) *testEnv {
	l.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	return newEnv(t, func(c *Config) { c.Limits = l })
}

func from(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }

// wantLimited checks a 429 rate_limited answer with a Retry-After.
func wantLimited(t *testing.T, r resp) {
	t.Helper()
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429: %s", r.status, r.body)
	}
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	wantCode(t, r, http.StatusTooManyRequests, codeRateLimited)
}

// wantCode checks an error answer's status and code.
func wantCode(t *testing.T, r resp, status int, code string) {
	t.Helper()
	r.wantStatus(t, status)
	if d := errorOf(t, r); d.Code != code {
		t.Fatalf("error code %q, want %q", d.Code, code)
	}
}

// TestPublishBudgetPerAddress: uploads are limited per client address; a
// second address has its own budget; nothing reaches Propose once limited.
func TestPublishBudgetPerAddress(t *testing.T) {
	e := limitedEnv(t, Limits{PublishPerSec: 0.001, PublishBurst: 2, FailedCodesPerHour: -1, ReadsPerSec: -1, TokenPerSec: -1})
	e.provider("p1", 0)
	for i := 0; i < 2; i++ {
		r := e.do(req{method: "POST", path: "/v1/publish", headers: from("198.51.100.1"), body: publishBody(t, e.code("p1", time.Hour), pastKeys(t, 2))})
		r.wantStatus(t, http.StatusOK)
	}
	good := e.code("p1", time.Hour)
	proposals := e.store.proposed.Load()
	wantLimited(t, e.do(req{method: "POST", path: "/v1/publish", headers: from("198.51.100.1"), body: publishBody(t, good, pastKeys(t, 2))}))
	if e.store.proposed.Load() != proposals {
		t.Fatalf("a limited publish reached Propose")
	}
	e.do(req{method: "POST", path: "/v1/publish", headers: from("198.51.100.2"), body: publishBody(t, good, pastKeys(t, 2))}).wantStatus(t, http.StatusOK)
}

// TestFailedCodeBudget: wrong codes spend a strict per-address budget;
// once spent even a valid code from that address is refused before it is
// looked up, while other addresses are unaffected.
func TestFailedCodeBudget(t *testing.T) {
	e := limitedEnv(t, Limits{PublishPerSec: -1, FailedCodesPerHour: 1, FailedCodesBurst: 3, ReadsPerSec: -1, TokenPerSec: -1})
	e.provider("p1", 0)
	bad := mutateLastChar(e.code("p1", time.Hour))
	for i := 0; i < 3; i++ {
		e.do(req{method: "POST", path: "/v1/publish", headers: from("198.51.100.9"), body: publishBody(t, bad, pastKeys(t, 1))}).
			wantStatus(t, http.StatusForbidden)
	}
	good := e.code("p1", time.Hour)
	wantLimited(t, e.do(req{method: "POST", path: "/v1/publish", headers: from("198.51.100.9"), body: publishBody(t, good, pastKeys(t, 1))}))
	e.do(req{method: "POST", path: "/v1/publish", headers: from("198.51.100.10"), body: publishBody(t, good, pastKeys(t, 1))}).wantStatus(t, http.StatusOK)
}

// TestReadAndTokenBudgets: reads per address and calls per token.
func TestReadAndTokenBudgets(t *testing.T) {
	e := limitedEnv(t, Limits{PublishPerSec: -1, FailedCodesPerHour: -1, ReadsPerSec: 0.001, ReadsBurst: 3, TokenPerSec: 0.001, TokenBurst: 2})
	for i := 0; i < 3; i++ {
		e.do(req{method: "GET", path: "/v1/keys?since=0", headers: from("198.51.100.20")}).wantStatus(t, http.StatusOK)
	}
	wantLimited(t, e.do(req{method: "GET", path: "/v1/keys?since=0", headers: from("198.51.100.20")}))
	e.do(req{method: "GET", path: "/v1/keys?since=0", headers: from("2001:db8:5::1")}).wantStatus(t, http.StatusOK)

	tok := e.provider("p2", 0)
	for i := 0; i < 2; i++ {
		e.do(req{method: "POST", path: "/v1/authorizations", token: tok, headers: from("198.51.100.30"), body: `{"count":1}`}).wantStatus(t, http.StatusCreated)
	}
	// Another address, same token: the token's budget is spent.
	wantLimited(t, e.do(req{method: "POST", path: "/v1/authorizations", token: tok, headers: from("198.51.100.31"), body: `{"count":1}`}))
}

// TestIPv6SharesBudgetPerPrefix: two addresses of one /64 share a budget.
func TestIPv6SharesBudgetPerPrefix(t *testing.T) {
	e := limitedEnv(t, Limits{PublishPerSec: -1, FailedCodesPerHour: -1, ReadsPerSec: 0.001, ReadsBurst: 2, TokenPerSec: -1})
	e.do(req{method: "GET", path: "/v1/keys?since=0", headers: from("2001:db8:7:7::1")}).wantStatus(t, http.StatusOK)
	e.do(req{method: "GET", path: "/v1/keys?since=0", headers: from("2001:db8:7:7::2")}).wantStatus(t, http.StatusOK)
	wantLimited(t, e.do(req{method: "GET", path: "/v1/keys?since=0", headers: from("2001:db8:7:7:ffff::3")}))
}

// TestLongPollCaps: concurrent long polls per address are capped, and the
// node-wide cap sheds with 503 unavailable.
func TestLongPollCaps(t *testing.T) {
	e := limitedEnv(t, Limits{PublishPerSec: -1, FailedCodesPerHour: -1, ReadsPerSec: -1, TokenPerSec: -1, LongPollsPerClient: 2, MaxLongPolls: 3})
	e.provider("p1", 0) // so that since=index is not a reset
	path := "/v1/keys?since=" + strconv.FormatUint(e.store.AppliedIndex(), 10) + "&wait=3s"
	var wg sync.WaitGroup
	poll := func(addr string) {
		defer wg.Done()
		e.doAsync(req{method: "GET", path: path, headers: from(addr)})
	}
	wg.Add(2)
	go poll("198.51.100.40")
	go poll("198.51.100.40")
	waitFor(t, "two parked polls", func() bool { return len(e.api.guards.polling) == 2 })
	wantLimited(t, e.do(req{method: "GET", path: path, headers: from("198.51.100.40")}))
	wg.Add(1)
	go poll("198.51.100.41")
	waitFor(t, "three parked polls", func() bool { return len(e.api.guards.polling) == 3 })
	r := e.do(req{method: "GET", path: path, headers: from("198.51.100.42")})
	wantCode(t, r, http.StatusServiceUnavailable, codeUnavailable)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	wg.Wait()
}
