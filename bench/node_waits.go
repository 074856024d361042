package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tekstore/tekstore/client"
)

// snapshotQuiet is how long no node may have a snapshot in progress before
// a measurement starts. It is longer than the nodes' minimum gap between
// volume-triggered snapshots, so a snapshot due right after a fill has
// started (or been skipped) by then.
const snapshotQuiet = 12 * time.Second

// waitSnapshotsIdle waits until no running node of l has been writing a
// snapshot for snapshotQuiet, so that a figure taken next measures the
// steady state, not a node busy writing hundreds of MB.
func waitSnapshotsIdle(ctx context.Context, hc *http.Client, l *Local, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	quietSince := time.Now()
	for {
		busy := false
		for i, u := range l.URLs {
			if l.PID(i) == 0 {
				continue
			}
			if n, err := scrape(ctx, hc, u+"/metrics", "tekstore_snapshots_in_progress"); err != nil || n > 0 {
				busy = true
			}
		}
		now := time.Now()
		if busy {
			quietSince = now
		}
		if now.Sub(quietSince) >= snapshotQuiet {
			return nil
		}
		if now.After(deadline) {
			return fmt.Errorf("nodes still writing snapshots after %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// waitCaughtUp waits until the node at nodeURL has applied the index the
// leader has applied now, and returns that index.
func waitCaughtUp(ctx context.Context, leaderURL, nodeURL string, limit time.Duration) (uint64, error) {
	want, err := appliedIndex(ctx, leaderURL)
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(limit)
	for {
		got, err := appliedIndex(ctx, nodeURL)
		if err == nil && got >= want {
			return want, nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s at index %d, want %d", nodeURL, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// appliedIndex returns the index a node reports in X-Tekstore-Index.
func appliedIndex(ctx context.Context, base string) (uint64, error) {
	c, err := client.New(base, client.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
	if err != nil {
		return 0, err
	}
	h, err := c.Healthz(ctx)
	return h.Meta.Index, err
}

// collectGarbage makes a node run a garbage collection (GET
// /debug/pprof/heap?gc=1 with the admin token).
func collectGarbage(ctx context.Context, hc *http.Client, base, adminToken string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/debug/pprof/heap?gc=1", nil)
	if err != nil {
		return
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if resp, err := hc.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
