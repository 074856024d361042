package transport

import (
	"encoding/binary"
	"hash/maphash"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are the DoS budgets of one node. Zero fields take the defaults of
// DefaultLimits; a negative rate disables that limit.
type Limits struct {
	// PublishPerSec/PublishBurst: uploads per client address.
	PublishPerSec float64
	PublishBurst  int
	// FailedCodesPerHour/FailedCodesBurst: wrong, expired or used codes per
	// client address. When spent, publishes from that address are refused
	// before the code is even looked at.
	FailedCodesPerHour float64
	FailedCodesBurst   int
	// ReadsPerSec/ReadsBurst: GET requests per client address.
	ReadsPerSec float64
	ReadsBurst  int
	// LongPollsPerClient caps concurrent long polls of one address.
	LongPollsPerClient int
	// TokenPerSec/TokenBurst: portal and admin calls per token.
	TokenPerSec float64
	TokenBurst  int
	// MaxInFlight caps concurrent requests (long polls excluded).
	MaxInFlight int
	// MaxLongPolls caps concurrent long polls on the node.
	MaxLongPolls int
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
}

// DefaultLimits are the documented defaults (docs/security.md).
var DefaultLimits = Limits{
	PublishPerSec: 1, PublishBurst: 10,
	FailedCodesPerHour: 20, FailedCodesBurst: 10,
	ReadsPerSec: 50, ReadsBurst: 100,
	LongPollsPerClient: 4,
	TokenPerSec:        20, TokenBurst: 100,
	MaxInFlight: 4096, MaxLongPolls: 20000,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	setF := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	setI := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	setF(&l.PublishPerSec, d.PublishPerSec)
	setI(&l.PublishBurst, d.PublishBurst)
	setF(&l.FailedCodesPerHour, d.FailedCodesPerHour)
	setI(&l.FailedCodesBurst, d.FailedCodesBurst)
	setF(&l.ReadsPerSec, d.ReadsPerSec)
	setI(&l.ReadsBurst, d.ReadsBurst)
	setI(&l.LongPollsPerClient, d.LongPollsPerClient)
	setF(&l.TokenPerSec, d.TokenPerSec)
	setI(&l.TokenBurst, d.TokenBurst)
	setI(&l.MaxInFlight, d.MaxInFlight)
	setI(&l.MaxLongPolls, d.MaxLongPolls)
	return l
}

// clientKey is a keyed hash of a client address (or a token): limiters
// never hold the address itself, and the key is random per process.
type clientKey [16]byte

// limiterSet holds one token bucket per key, dropping idle ones.
type limiterSet struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	entries map[clientKey]*limiterEntry
	swept   time.Time
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
	busy int // concurrent holders (long polls)
}

// idleAfter is how long an unused limiter is kept.
const idleAfter = 10 * time.Minute

func newLimiterSet(perSec float64, burst int) *limiterSet {
	l := rate.Limit(perSec)
	if perSec < 0 {
		l = rate.Inf
	}
	return &limiterSet{limit: l, burst: burst, entries: map[clientKey]*limiterEntry{}, swept: time.Now()}
}

// limited reports whether the set's rate is finite (a negative configured
// rate disables the limit).
func (s *limiterSet) limited() bool { return s.limit != rate.Inf }

func (s *limiterSet) get(k clientKey, now time.Time) *limiterEntry {
	if now.Sub(s.swept) > idleAfter {
		for key, e := range s.entries {
			if now.Sub(e.seen) > idleAfter && e.busy == 0 {
				delete(s.entries, key)
			}
		}
		s.swept = now
	}
	e, ok := s.entries[k]
	if !ok {
		e = &limiterEntry{lim: rate.NewLimiter(s.limit, s.burst)}
		s.entries[k] = e
	}
	e.seen = now
	return e
}

// allow takes one token; when none is left it returns how long to wait.
func (s *limiterSet) allow(k clientKey) (bool, time.Duration) {
	return s.allowAt(k, time.Now())
}

// allowAt is allow at a time the caller already read (one clock read per
// request).
func (s *limiterSet) allowAt(k clientKey, now time.Time) (bool, time.Duration) {
	if !s.limited() {
		return true, 0 // what an unlimited token bucket answers, without its lock
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.get(k, now)
	r := e.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Hour
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// spent reports whether the key has no token left, without taking one.
func (s *limiterSet) spent(k clientKey) (bool, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	e := s.get(k, now)
	if e.lim.TokensAt(now) >= 1 {
		return false, 0
	}
	r := e.lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return true, d
}

// acquire counts a concurrent holder; false when max are already held.
func (s *limiterSet) acquire(k clientKey, max int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.get(k, time.Now())
	if e.busy >= max {
		return false
	}
	e.busy++
	return true
}

func (s *limiterSet) release(k clientKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[k]; ok && e.busy > 0 {
		e.busy--
	}
}

// guards are the node's DoS budgets.
type guards struct {
	cfg       Limits
	seeds     [2]maphash.Seed
	publish   *limiterSet
	failed    *limiterSet
	reads     *limiterSet
	longPolls *limiterSet
	tokens    *limiterSet
	inFlight  chan struct{}
	polling   chan struct{}
}

func newGuards(l Limits) *guards {
	l = l.withDefaults()
	g := &guards{
		cfg:       l,
		publish:   newLimiterSet(l.PublishPerSec, l.PublishBurst),
		failed:    newLimiterSet(l.FailedCodesPerHour/3600, l.FailedCodesBurst),
		reads:     newLimiterSet(l.ReadsPerSec, l.ReadsBurst),
		longPolls: newLimiterSet(-1, 1),
		tokens:    newLimiterSet(l.TokenPerSec, l.TokenBurst),
		inFlight:  make(chan struct{}, l.MaxInFlight),
		polling:   make(chan struct{}, l.MaxLongPolls),
	}
	g.seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	return g
}

// keyOf hashes a string (an address or a token) under the process's random
// seeds: 128 bits, so that distinct clients do not share a budget, and no
// allocation (it runs on every request).
func (g *guards) keyOf(s string) clientKey {
	var k clientKey
	binary.LittleEndian.PutUint64(k[:8], maphash.String(g.seeds[0], s))
	binary.LittleEndian.PutUint64(k[8:], maphash.String(g.seeds[1], s))
	return k
}

// keyOfBytes is keyOf for an address rendered into a buffer.
func (g *guards) keyOfBytes(b []byte) clientKey {
	var k clientKey
	binary.LittleEndian.PutUint64(k[:8], maphash.Bytes(g.seeds[0], b))
	binary.LittleEndian.PutUint64(k[8:], maphash.Bytes(g.seeds[1], b))
	return k
}

// clientKey is keyOf(clientAddr(r)) without allocating in the usual case (a
// direct peer, no trusted proxies): the address is parsed once and its
// budget unit rendered on the stack.
func (g *guards) clientKey(r *http.Request) clientKey {
	if len(g.cfg.TrustedProxies) == 0 {
		if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil && ap.Addr().Zone() == "" {
			var buf [64]byte
			return g.keyOfBytes(appendClientNetwork(buf[:0], ap.Addr()))
		}
	}
	return g.keyOf(g.clientAddr(r))
}

// appendClientNetwork appends clientNetwork's form of a (zone-less) address.
func appendClientNetwork(b []byte, a netip.Addr) []byte {
	a = a.Unmap()
	if a.Is4() {
		return a.AppendTo(b)
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.AppendTo(b)
	}
	return p.AppendTo(b)
}

// clientAddr returns the client address: the peer, or for a trusted proxy
// the right-most X-Forwarded-For entry that is not itself a trusted proxy.
func (g *guards) clientAddr(r *http.Request) string {
	return clientNetwork(g.rawClientAddr(r))
}

// clientNetwork is the unit a budget is kept for: an IPv4 address, or the
// /64 of an IPv6 address (one subscriber usually holds a whole /64, so
// counting single IPv6 addresses would give an attacker 2^64 budgets).
func clientNetwork(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

func (g *guards) rawClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !g.trusted(peer) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !g.trusted(a) {
			return a.String()
		}
	}
	return host
}

func (g *guards) trusted(a netip.Addr) bool {
	for _, p := range g.cfg.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

func rateLimited(wait time.Duration) error {
	secs := int(wait.Seconds() + 0.999)
	if secs < 1 {
		secs = 1
	}
	return &apiError{status: http.StatusTooManyRequests, code: codeRateLimited,
		msg: "too many requests; retry after " + strconv.Itoa(secs) + "s", retryAfter: secs}
}

var errOverloaded = &apiError{status: 503, code: codeUnavailable, msg: "the node is at its request limit; retry", retryAfter: 1}
