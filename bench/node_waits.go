package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"
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
