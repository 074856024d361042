package clustertests

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tekstore/tekstore/codes"
	"github.com/tekstore/tekstore/transport"
)

// Shape of the DoS test (issue 6).
const (
	dosDuration       = 20 * time.Second
	dosHonestClients  = 8
	dosHonestPeriod   = 250 * time.Millisecond // one request per period per honest client
	dosPublishEvery   = 8                      // every 8th honest request is a publish (one per 2 s)
	dosAttackConns    = 256
	dosSlowlorisConns = 64 // of dosAttackConns: plain TCP, one header byte per second
	dosHeapLimit      = 512 << 20
)

// dosStats are the honest clients' results.
type dosStats struct {
	mu        sync.Mutex
	latencies []time.Duration
	byKind    map[string][]time.Duration
	failures  map[string]int
	ok        int
	published int
}

func (s *dosStats) record(what string, d time.Duration, status int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencies = append(s.latencies, d)
	s.byKind[what] = append(s.byKind[what], d)
	switch {
	case err != nil:
		s.failures[what+": "+err.Error()]++
	case status != 200:
		s.failures[fmt.Sprintf("%s: %d", what, status)]++
	default:
		s.ok++
		if what == "publish" {
			s.published++
		}
	}
}

// attackStats count the attackers' answers by status.
type attackStats struct {
	mu       sync.Mutex
	byStatus map[int]int
	errs     atomic.Int64
	// slowloris connections closed by the server and how long each lived.
	slowClosed atomic.Int64
	slowMaxAge atomic.Int64 // nanoseconds
}

func (a *attackStats) status(code int) {
	a.mu.Lock()
	a.byStatus[code]++
	a.mu.Unlock()
}

// TestDoSHonestClientsUnharmed floods one node with 256 attacking
// connections (invalid publishes, guessed codes, garbage, slowloris) while 8
// honest clients publish and read, and checks that the honest clients are
// served, that only their uploads reach the Raft log and that memory stays
// bounded. Every client has its own address through X-Forwarded-For from a
// trusted proxy (127.0.0.0/8).
func TestDoSHonestClientsUnharmed(t *testing.T) {
	if testing.Short() {
		t.Skip("DoS test skipped in -short mode")
	}
	limits := transport.Limits{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	nodes := secStartCluster(t, 1, limits)
	n := nodes[0]
	base := n.URL()
	publishes := int(dosDuration/dosHonestPeriod)/dosPublishEvery + 1
	prov := secAddProvider(t, base, "GGD Honest", dosHonestClients*publishes)

	startIndex := n.Node().AppliedIndex()
	ctx, cancel := context.WithTimeout(context.Background(), dosDuration)
	defer cancel()

	var heapMax atomic.Uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		dosSampleHeap(ctx, &heapMax)
	}()

	attack := &attackStats{byStatus: map[int]int{}}
	hostPort := strings.TrimPrefix(base, "http://")
	for i := range dosAttackConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i < dosSlowlorisConns {
				dosSlowloris(ctx, hostPort, attack)
				return
			}
			dosAttacker(ctx, base, i, attack)
		}()
	}

	honest := &dosStats{failures: map[string]int{}, byKind: map[string][]time.Duration{}}
	for c := range dosHonestClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dosHonest(ctx, t, base, fmt.Sprintf("198.51.100.%d", c+1), prov.codes[c*publishes:(c+1)*publishes], honest)
		}()
	}
	wg.Wait()

	// Figures.
	total := honest.ok
	for _, v := range honest.failures {
		total += v
	}
	p50, p99, pmax := dosPercentiles(honest.latencies)
	grew := n.Node().AppliedIndex() - startIndex
	subs := len(n.Node().State().SubmissionsOf(prov.ID, time.Time{}))
	attackTotal := 0
	for _, v := range attack.byStatus {
		attackTotal += v
	}
	t.Logf("honest: %d/%d ok (%.2f%%), %d publishes accepted, p50 %v, p99 %v, max %v; failures %v",
		honest.ok, total, 100*float64(honest.ok)/float64(total), honest.published, p50, p99, pmax, honest.failures)
	for _, kind := range []string{"publish", "read"} {
		k50, k99, kmax := dosPercentiles(honest.byKind[kind])
		t.Logf("honest %s: %d requests, p50 %v, p99 %v, max %v", kind, len(honest.byKind[kind]), k50, k99, kmax)
	}
	t.Logf("attack: %d answered requests in %v (%.0f/s), by status %v, %d transport errors; slowloris: %d conns closed by the server, oldest lived %v",
		attackTotal, dosDuration, float64(attackTotal)/dosDuration.Seconds(), attack.byStatus, attack.errs.Load(),
		attack.slowClosed.Load(), time.Duration(attack.slowMaxAge.Load()).Round(time.Millisecond))
	t.Logf("raft: applied index grew by %d, submissions %d; heap in use peaked at %d MiB", grew, subs, heapMax.Load()>>20)

	if rate := float64(honest.ok) / float64(total); rate < 0.99 {
		t.Errorf("honest success rate %.4f, want >= 0.99", rate)
	}
	if p99 > time.Second {
		t.Errorf("honest p99 latency %v, want <= 1s", p99)
	}
	if subs != honest.published {
		t.Errorf("%d submissions in state, want the %d honest publishes", subs, honest.published)
	}
	if grew == 0 || grew > uint64(honest.published) {
		t.Errorf("the log grew by %d entries for %d honest publishes", grew, honest.published)
	}
	if h := heapMax.Load(); h > dosHeapLimit {
		t.Errorf("heap in use peaked at %d MiB, want < %d MiB", h>>20, dosHeapLimit>>20)
	}
	if attack.slowClosed.Load() == 0 {
		t.Errorf("no slowloris connection was closed by the server")
	}
	if age := time.Duration(attack.slowMaxAge.Load()); age > 10*time.Second {
		t.Errorf("a slowloris connection lived %v", age)
	}
}

// dosPercentiles returns the median, 99th percentile and maximum.
func dosPercentiles(ds []time.Duration) (p50, p99, pmax time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	return r(ds[len(ds)/2]), r(ds[int(math.Ceil(0.99*float64(len(ds))))-1]), r(ds[len(ds)-1])
}

// dosSampleHeap records the peak of HeapInuse until ctx ends.
func dosSampleHeap(ctx context.Context, peak *atomic.Uint64) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak.Load() {
			peak.Store(ms.HeapInuse)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// dosHonest publishes its codes one every dosPublishEvery periods and reads
// the key delta in between, as an app does.
func dosHonest(ctx context.Context, t *testing.T, base, addr string, codes []string, st *dosStats) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 2}}
	defer c.CloseIdleConnections()
	tick := time.NewTicker(dosHonestPeriod)
	defer tick.Stop()
	var since uint64
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var req *http.Request
		what := "read"
		if i%dosPublishEvery == 0 && len(codes) > 0 {
			what = "publish"
			body, _ := json.Marshal(map[string]any{"code": codes[0], "keys": secKeys(t, 3)})
			codes = codes[1:]
			req, _ = http.NewRequest("POST", base+"/v1/publish", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		} else {
			req, _ = http.NewRequest("GET", fmt.Sprintf("%s/v1/keys?since=%d", base, since), nil)
		}
		req.Header.Set("X-Forwarded-For", addr)
		start := time.Now()
		resp, err := c.Do(req)
		status := 0
		if err == nil {
			status = resp.StatusCode
			var delta struct{ Until uint64 }
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			err = rerr
			if what == "read" && status == 200 && json.Unmarshal(b, &delta) == nil {
				since = delta.Until
			}
		}
		st.record(what, time.Since(start), status, err)
	}
}

// dosAttacker sends, as fast as the node answers, one kind of bad upload
// per connection: invalid bodies from a fixed address, guessed codes and
// garbage from a fresh address per request (a botnet behind the proxy).
func dosAttacker(ctx context.Context, base string, i int, st *attackStats) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
	defer c.CloseIdleConnections()
	fixed := fmt.Sprintf("100.64.%d.%d", i/256, i%256)
	validKeys := `[{"key":"AAAAAAAAAAAAAAAAAAAAAA==","rollingStartNumber":` + fmt.Sprint(time.Now().Unix()/600/144*144-144) + `}]`
	for j := 0; ctx.Err() == nil; j++ {
		addr, ctype := fixed, "application/json"
		var body []byte
		switch i % 3 {
		case 0: // invalid publishes
			body = []byte([]string{
				`{"code":"K7Q2-9XMD-3HPA-W4ZR","keys":[]}`,
				`{"code":"K7Q2-9XMD-3HPA-W4ZR","keys":[{"key":"not base64","rollingStartNumber":1}]}`,
				`{"code":"","keys":` + validKeys + `}`,
				`{"code":"K7Q2","keys":` + validKeys + `,"x":1}`,
			}[j%4])
		case 1: // guessed codes with a correct check character
			code, _ := codes.Generate()
			addr = dosRandomAddr()
			body = []byte(`{"code":"` + code.String() + `","keys":` + validKeys + `}`)
		default: // garbage
			addr = dosRandomAddr()
			switch j % 3 {
			case 0:
				body = make([]byte, 512)
				_, _ = rand.Read(body)
			case 1:
				body, ctype = []byte("code=K7Q2"), "text/plain"
			default:
				body = bytes.Repeat([]byte("A"), 80<<10) // over the 64 KiB limit
			}
		}
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/v1/publish", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-Forwarded-For", addr)
		resp, err := c.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				st.errs.Add(1)
			}
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		st.status(resp.StatusCode)
	}
}

// dosRandomAddr returns a random address in 100.64.0.0/10.
func dosRandomAddr() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	v := binary.BigEndian.Uint32(b[:])&0x003fffff | 0x64400000
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}

// dosSlowloris holds a plain TCP connection open by sending a request's
// headers one byte per second, and opens a new one whenever the server
// closes it.
func dosSlowloris(ctx context.Context, hostPort string, st *attackStats) {
	header := "POST /v1/publish HTTP/1.1\r\nHost: tekstore\r\nContent-Type: application/json\r\nX-Slow: " + strings.Repeat("a", 4096)
	for ctx.Err() == nil {
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", hostPort)
		if err != nil {
			if ctx.Err() == nil {
				st.errs.Add(1)
			}
			return
		}
		opened := time.Now()
		closedByServer := false
		buf := make([]byte, 512)
		for i := 0; i < len(header) && ctx.Err() == nil; i++ {
			if _, err := conn.Write([]byte{header[i]}); err != nil {
				closedByServer = true
				break
			}
			_ = conn.SetReadDeadline(time.Now().Add(time.Second))
			if _, err := conn.Read(buf); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					continue
				}
			}
			closedByServer = true // an answer (408/400) or EOF: the server gave up on us
			break
		}
		conn.Close()
		if closedByServer {
			st.slowClosed.Add(1)
			age := int64(time.Since(opened))
			for {
				old := st.slowMaxAge.Load()
				if age <= old || st.slowMaxAge.CompareAndSwap(old, age) {
					break
				}
			}
		}
	}
}
