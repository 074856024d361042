package clustertests

import (
	"strconv"
	"testing"
	"time"

	ct "github.com/tekstore/tekstore/cluster-tests/clustertest"
	"github.com/tekstore/tekstore/node"
)

// catchUpKeys is how many keys a killed follower misses in the catch-up
// tests (715 uploads of 14 keys).
const catchUpKeys = 10_000

func uploadsFor(keys int) int { return (keys + ct.KeysPerUpload - 1) / ct.KeysPerUpload }

// missKeys kills follower f, publishes keys at the leader and restarts f; it
// returns the leader's applied index to reach. beforeRestart gets f's last
// applied index before it was killed.
func missKeys(t *testing.T, c *ct.Cluster, f *ct.Node, keys int, beforeRestart func(killedAt uint64)) uint64 {
	t.Helper()
	leader := c.Leader()
	p := c.NewProvider(leader, "GGD Catch-up")
	codes := c.IssueCodes(leader, p, uploadsFor(keys))
	killedAt := f.Node().AppliedIndex()
	c.Kill(f.ID)
	start := time.Now()
	seq := c.PublishMany(leader, codes, 0, 16)
	t.Logf("published %d keys in %v", keys, time.Since(start))
	if beforeRestart != nil {
		beforeRestart(killedAt)
	}
	c.Restart(f.ID)
	return max(seq, c.Leader().Node().AppliedIndex())
}

// TestFollowerCatchesUp: a follower that was down while 10,000 keys were
// published catches up from the leader's log after a restart.
func TestFollowerCatchesUp(t *testing.T) {
	c := ct.NewCluster(t, 3)
	f := c.Followers()[0]
	target := missKeys(t, c, f, catchUpKeys, nil)
	start := time.Now()
	c.WaitForApplied(target)
	t.Logf("caught up in %v", time.Since(start))
	if got, _ := f.Node().State().PublicCount(); got < catchUpKeys {
		t.Fatalf("%s holds %d keys after catch-up, want >= %d", f.ID, got, catchUpKeys)
	}
	c.WaitFor(f.ID+" ready", func() bool { return f.Node().CaughtUp() })
}

// TestCatchUpThroughSnapshot: with a small snapshot threshold the leader
// compacts its log past the killed follower's last entry, so the follower
// can only catch up by installing a snapshot. The thresholds are in log
// entries; batching puts many uploads in one entry (715 uploads from 16
// publishers make a few dozen entries), so they are far below that.
func TestCatchUpThroughSnapshot(t *testing.T) {
	const trailing = 8
	c := ct.NewCluster(t, 3, ct.WithNodeConfig(func(nc *node.Config) {
		nc.SnapshotThreshold = 16
		nc.TrailingLogs = trailing
		nc.SnapshotInterval = 100 * time.Millisecond
	}))
	f := c.Followers()[0]
	var lastBefore uint64
	target := missKeys(t, c, f, catchUpKeys, func(killedAt uint64) {
		lastBefore = killedAt
		leader := c.Leader()
		c.WaitFor("the leader to compact its log past the killed follower", func() bool {
			snap, _ := strconv.ParseUint(leader.Node().Raft().Stats()["last_snapshot_index"], 10, 64)
			return snap > lastBefore+trailing+1
		})
	})
	c.WaitForApplied(target)
	snap, _ := strconv.ParseUint(f.Node().Raft().Stats()["last_snapshot_index"], 10, 64)
	if snap <= lastBefore {
		t.Fatalf("%s has no snapshot past its old index %d (last snapshot %d)", f.ID, lastBefore, snap)
	}
}
