package bench

import (
	"context"
	"fmt"
	"time"
)

// ScaleOptions configure the scale run on a local cluster.
type ScaleOptions struct {
	Keys        int // keys to load (e.g. 10,000,000)
	Concurrency int
	FillLimit   time.Duration
	Read        ReadOptions
}

// Scale loads Keys keys and reports memory per key, delta cost growth
// against a small store, restart time of a node holding the keys, and the
// catch-up time of a new node through a snapshot.
func Scale(ctx context.Context, l *Local, o ScaleOptions) ([]Result, error) {
	hc := httpClient(4)
	var out []Result
	leaderMetrics := l.URLs[l.Leader] + "/metrics"
	heap0, _ := scrape(ctx, hc, leaderMetrics, "go_memstats_heap_inuse_bytes")
	rss0, _ := scrape(ctx, hc, leaderMetrics, "process_resident_memory_bytes")
	off0, _ := scrape(ctx, hc, leaderMetrics, "tekstore_state_offheap_bytes")

	small, err := Delta(ctx, &l.Target, o.Read)
	if err != nil {
		return nil, fmt.Errorf("delta before fill: %w", err)
	}
	small.Scenario = "delta-small"
	out = append(out, small)

	fill, err := Fill(ctx, &l.Target, o.Keys, o.Concurrency, o.FillLimit)
	if err != nil {
		return out, err
	}
	out = append(out, fill)
	keys := fill.Extra["keys"]
	// Let every node apply everything before measuring.
	if err := waitSameIndex(ctx, l, 2*time.Minute); err != nil {
		return out, err
	}
	// Snapshots the fill made due are written in the background; measure
	// after them, as a node serves most of its life.
	if err := waitSnapshotsIdle(ctx, hc, l, 3*time.Minute); err != nil {
		return out, err
	}
	collectGarbage(ctx, hc, l.URLs[l.Leader], l.AdminToken)
	heap1, _ := scrape(ctx, hc, leaderMetrics, "go_memstats_heap_inuse_bytes")
	rss1, _ := scrape(ctx, hc, leaderMetrics, "process_resident_memory_bytes")
	off1, _ := scrape(ctx, hc, leaderMetrics, "tekstore_state_offheap_bytes")
	mem := Result{Scenario: "memory", Ops: int(keys), Extra: map[string]float64{
		"heapBytesPerKey": (heap1 - heap0) / keys, "offHeapBytesPerKey": (off1 - off0) / keys,
		"rssBytesPerKey": (rss1 - rss0) / keys, "rssMiB": rss1 / (1 << 20)}}
	out = append(out, mem)

	large, err := Delta(ctx, &l.Target, o.Read)
	if err != nil {
		return out, fmt.Errorf("delta after fill: %w", err)
	}
	large.Scenario = "delta-large"
	if small.P50Ms > 0 {
		large.Extra["p50VsSmall"] = large.P50Ms / small.P50Ms
	}
	out = append(out, large)

	f := l.Follower
	l.Kill(f)
	took, err := l.Restart(ctx, f)
	if err != nil {
		return out, fmt.Errorf("restart: %w", err)
	}
	out = append(out, Result{Scenario: "restart", Ops: 1, Seconds: took.Seconds(), Extra: map[string]float64{"keys": keys}})

	t0 := time.Now()
	i, err := l.AddNode(ctx, false)
	if err == nil {
		err = waitIndexAt(ctx, l, i, 5*time.Minute)
	}
	if err != nil {
		return out, fmt.Errorf("new follower: %w", err)
	}
	out = append(out, Result{Scenario: "catchup", Ops: 1, Seconds: time.Since(t0).Seconds(), Extra: map[string]float64{"keys": keys}})
	return out, nil
}

func waitIndexAt(ctx context.Context, l *Local, i int, limit time.Duration) error {
	_, err := waitCaughtUp(ctx, l.URLs[l.Leader], l.URLs[i], limit)
	return err
}

func waitSameIndex(ctx context.Context, l *Local, limit time.Duration) error {
	for i := range l.URLs {
		if l.PID(i) == 0 {
			continue
		}
		if err := waitIndexAt(ctx, l, i, limit); err != nil {
			return err
		}
	}
	return nil
}
