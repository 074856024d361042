package bench

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tekstore/tekstore/client"
)

// LongPoll parks waiters on one follower with wait=60s, publishes one upload
// at the leader, and measures how long after the publish was answered each
// waiter was woken. Extra reports the slowest wake-up and the follower's
// resident memory per waiter.
func LongPoll(ctx context.Context, t *Target, waiters int, limit time.Duration) (Result, error) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: waiters, DisableCompression: true}, Timeout: 90 * time.Second}
	cs, err := t.clients(httpClient(4), "")
	if err != nil {
		return Result{}, err
	}
	prov, err := t.provider(ctx, httpClient(4))
	if err != nil {
		return Result{}, err
	}
	codes, err := issueCodes(ctx, prov, 1)
	if err != nil {
		return Result{}, err
	}
	// The waiters ask the follower for changes after the leader's index,
	// once the follower has applied it: asked earlier, a follower still
	// catching up would answer at once (or with a reset for since=0).
	since, err := waitCaughtUp(ctx, t.URLs[t.Leader], t.URLs[t.Follower], limit)
	if err != nil {
		return Result{}, err
	}
	metricsURL := t.URLs[t.Follower] + "/metrics"
	rssBefore, _ := scrape(ctx, hc, metricsURL, "process_resident_memory_bytes")
	stackBefore, _ := scrape(ctx, hc, metricsURL, "go_memstats_stack_inuse_bytes")
	heapBefore, _ := scrape(ctx, hc, metricsURL, "go_memstats_heap_inuse_bytes")

	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var mu sync.Mutex
	var woke []time.Time
	errs := 0
	var wg sync.WaitGroup
	url := fmt.Sprintf("%s/v1/keys?since=%d&wait=60s", t.URLs[t.Follower], since)
	for i := 0; i < waiters; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := fetchDiscard(ctx, hc, url)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs++
				return
			}
			woke = append(woke, time.Now())
		}()
	}
	// Wait until the follower reports every waiter parked.
	for {
		n, err := scrape(ctx, hc, metricsURL, "tekstore_long_polls")
		if err == nil && int(n) >= waiters {
			break
		}
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("only %v of %d waiters parked: %w", n, waiters, ctx.Err())
		}
		time.Sleep(100 * time.Millisecond)
	}
	rssGarbage, _ := scrape(ctx, hc, metricsURL, "process_resident_memory_bytes")
	// Collect the garbage of parsing 10,000 requests, so that what is left
	// is what the waiters hold (pprof's heap endpoint runs a GC first).
	collectGarbage(ctx, hc, t.URLs[t.Follower], t.AdminToken)
	rssAfter, _ := scrape(ctx, hc, metricsURL, "process_resident_memory_bytes")
	stackAfter, _ := scrape(ctx, hc, metricsURL, "go_memstats_stack_inuse_bytes")
	heapAfter, _ := scrape(ctx, hc, metricsURL, "go_memstats_heap_inuse_bytes")
	if _, err := cs[t.Leader].Publish(ctx, client.PublishRequest{Code: codes[0], Keys: upload(14, time.Now())}); err != nil {
		return Result{}, fmt.Errorf("trigger publish: %w", err)
	}
	published := time.Now()
	wg.Wait()
	rec := &recorder{}
	for _, w := range woke {
		rec.ok(w.Sub(published))
	}
	for i := 0; i < errs; i++ {
		rec.fail(fmt.Errorf("waiter failed"))
	}
	sort.Slice(woke, func(i, j int) bool { return woke[i].Before(woke[j]) })
	r := rec.result("longpoll", time.Since(published))
	r.Extra = map[string]float64{"waiters": float64(waiters)}
	if len(woke) > 0 {
		r.Extra["allWokenMs"] = float64(woke[len(woke)-1].Sub(published).Microseconds()) / 1000
	}
	if rssAfter > rssBefore && waiters > 0 {
		r.Extra["bytesPerWaiter"] = (rssAfter - rssBefore) / float64(waiters)
		r.Extra["bytesPerWaiterBeforeGC"] = (rssGarbage - rssBefore) / float64(waiters)
		r.Extra["stackPerWaiter"] = (stackAfter - stackBefore) / float64(waiters)
		r.Extra["heapPerWaiter"] = (heapAfter - heapBefore) / float64(waiters)
	}
	return r, nil
}

// scrape reads one unlabelled sample from a Prometheus text endpoint.
func scrape(ctx context.Context, hc *http.Client, url, name string) (float64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+" ") {
			return strconv.ParseFloat(strings.TrimSpace(line[len(name):]), 64)
		}
	}
	return 0, fmt.Errorf("metric %s not found", name)
}
