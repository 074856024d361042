package transport

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/tekstore/tekstore/fsm/fsmpb"
)

// getKeys reads /v1/keys with the query and requires 200.
func (e *testEnv) getKeys(query string) (keysResponse, resp) {
	e.t.Helper()
	r := e.do(req{method: "GET", path: "/v1/keys?" + query})
	r.wantStatus(e.t, http.StatusOK)
	e.wantNodeHeaders(r)
	var d keysResponse
	r.decode(e.t, &d)
	return d, r
}

// publishN makes n submissions of k keys each and returns every key.
func (e *testEnv) publishN(n, k int) []jsonKey {
	e.t.Helper()
	var all []jsonKey
	for range n {
		keys := pastKeys(e.t, k)
		e.publish(e.code("p_a", time.Hour), keys)
		all = append(all, keys...)
	}
	return all
}

// gaugeValue reads a gauge's current value.
func gaugeValue(t *testing.T, g prometheus.Gauge) float64 {
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		t.Errorf("read gauge: %v", err)
	}
	return m.GetGauge().GetValue()
}

func keyNames(keys []keyOut) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k.Key] = true
	}
	return m
}

// TestKeysReset: since=0, or a since beyond the node's index, answers the
// whole public set with reset; a later since answers only what came after.
func TestKeysReset(t *testing.T) {
	e := newEnv(t)
	e.provider("p_a", 0)
	first := e.publishN(1, 3)
	mid := e.store.AppliedIndex()
	second := e.publishN(1, 2)

	for _, q := range []string{"since=0", "", fmt.Sprintf("since=%d", e.store.AppliedIndex()+100)} {
		d, _ := e.getKeys(q)
		if !d.Reset || d.More || len(d.Keys) != 5 || len(d.Revoked) != 0 || d.Until != e.store.AppliedIndex() {
			t.Fatalf("%q: reset=%v more=%v keys=%d revoked=%d until=%d", q, d.Reset, d.More, len(d.Keys), len(d.Revoked), d.Until)
		}
		if d.Revoked == nil {
			t.Fatalf("%q: revoked must be [], not null", q)
		}
	}
	d, _ := e.getKeys(fmt.Sprintf("since=%d", mid))
	names := keyNames(d.Keys)
	if d.Reset || len(d.Keys) != len(second) || names[first[0].Key] || !names[second[0].Key] {
		t.Fatalf("delta since %d: reset=%v keys=%d", mid, d.Reset, len(d.Keys))
	}
	d, _ = e.getKeys(fmt.Sprintf("since=%d", d.Until))
	if d.Reset || len(d.Keys) != 0 || d.Keys == nil {
		t.Fatalf("caught-up delta: reset=%v keys=%v", d.Reset, d.Keys)
	}
}

// TestKeysMorePaging: with a limit the pages cut between seqs, say more,
// and chained by since=until give every key exactly once.
func TestKeysMorePaging(t *testing.T) {
	e := newEnv(t)
	e.provider("p_a", 0)
	all := e.publishN(5, 3)
	seen := map[string]int{}
	since, pages := uint64(0), 0
	for {
		d, _ := e.getKeys(fmt.Sprintf("since=%d&limit=4", since))
		pages++
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		for _, k := range d.Keys {
			seen[k.Key]++
		}
		if d.Until < since && !d.Reset {
			t.Fatalf("until %d before since %d", d.Until, since)
		}
		since = d.Until
		if !d.More {
			break
		}
		if len(d.Keys) == 0 {
			t.Fatal("an empty page says more")
		}
	}
	if pages < 3 {
		t.Fatalf("%d pages for 15 keys at limit 4", pages)
	}
	for _, k := range all {
		if seen[k.Key] != 1 {
			t.Fatalf("key seen %d times", seen[k.Key])
		}
	}
	if len(seen) != len(all) {
		t.Fatalf("saw %d keys, published %d", len(seen), len(all))
	}
}

// TestKeysLongPollWakes: a long poll blocks, and a publish applied while it
// waits wakes it with the new keys long before its wait ends.
func TestKeysLongPollWakes(t *testing.T) {
	e := newEnv(t)
	e.provider("p_a", 0)
	e.publishN(1, 1)
	since := e.store.AppliedIndex()
	type result struct {
		d       keysResponse
		status  int
		elapsed time.Duration
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		r := e.doAsync(req{method: "GET", path: fmt.Sprintf("/v1/keys?since=%d&wait=50s", since)})
		var d keysResponse
		_ = json.Unmarshal(r.body, &d)
		done <- result{d, r.status, time.Since(start)}
	}()
	waitFor(t, "the long poll to wait", func() bool { return gaugeValue(t, e.api.metrics.longPolls) == 1 })
	select {
	case <-done:
		t.Fatal("the long poll answered before anything changed")
	default:
	}
	// A change that is not a key (a tick) keeps it waiting.
	e.store.mustApply(time.Now(), fsmpb.CommandType_COMMAND_TYPE_TICK, &fsmpb.Tick{})
	keys := pastKeys(t, 2)
	e.publish(e.code("p_a", time.Hour), keys)
	res := <-done
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	if res.elapsed > 40*time.Second {
		t.Fatalf("woken only after %v", res.elapsed)
	}
	names := keyNames(res.d.Keys)
	if res.d.Reset || len(res.d.Keys) != 2 || !names[keys[0].Key] || !names[keys[1].Key] {
		t.Fatalf("woken with %+v", res.d)
	}
	if got := gaugeValue(t, e.api.metrics.longPolls); got != 0 {
		t.Fatalf("long polls gauge %v after the answer", got)
	}
}

// TestKeysLongPollTimesOut: with nothing new, the answer is an empty delta
// once the wait has passed.
func TestKeysLongPollTimesOut(t *testing.T) {
	e := newEnv(t)
	e.provider("p_a", 0)
	e.publishN(1, 1)
	since := e.store.AppliedIndex()
	const wait = 150 * time.Millisecond
	start := time.Now()
	d, _ := e.getKeys(fmt.Sprintf("since=%d&wait=%s", since, wait))
	if el := time.Since(start); el < wait {
		t.Fatalf("answered after %v, before the wait of %v", el, wait)
	}
	if d.Reset || d.More || len(d.Keys) != 0 || len(d.Revoked) != 0 || d.Until != since {
		t.Fatalf("timed-out poll %+v", d)
	}
}

// TestMinIndexWaitsForApply: a read with min_index beyond the node's index
// waits until that index is applied, then answers with it.
func TestMinIndexWaitsForApply(t *testing.T) {
	st := newFakeStore(t, "n1")
	waiting := make(chan struct{}, 1)
	st.WaitForAppliedFunc = func(ctx context.Context, index uint64) error {
		waiting <- struct{}{}
		return st.waitApplied(ctx, index)
	}
	e := newEnvOn(t, st)
	want := e.store.AppliedIndex() + 2
	done := make(chan resp, 1)
	go func() {
		done <- e.doAsync(req{method: "GET", path: fmt.Sprintf("/v1/keys?since=0&min_index=%d&wait=50s", want)})
	}()
	<-waiting
	e.provider("p_a", 0)
	select {
	case r := <-done:
		t.Fatalf("answered at index %s before %d: %s", r.header.Get("X-Tekstore-Index"), want, r.body)
	default:
	}
	e.provider("p_b", 0)
	r := <-done
	r.wantStatus(t, http.StatusOK)
	if got := r.header.Get("X-Tekstore-Index"); got != uintString(want) {
		t.Fatalf("X-Tekstore-Index = %s, want %d", got, want)
	}
}
