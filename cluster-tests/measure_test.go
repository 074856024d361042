package clustertests

import (
	"os"
	"slices"
	"testing"
	"time"

	ct "github.com/tekstore/tekstore/cluster-tests/clustertest"
	"github.com/tekstore/tekstore/node"
)

// TestMeasure prints the figures of the issue's closing note, with the
// production Raft defaults: leader failover time (kill of the leader to
// the first successful publish at a survivor, median of 5) and the
// catch-up time of a follower that missed 100,000 keys. Run it alone,
// without -race:
//
//	TEKSTORE_MEASURE=1 go test -run TestMeasure -v -timeout 30m ./cluster-tests/
func TestMeasure(t *testing.T) {
	if os.Getenv("TEKSTORE_MEASURE") != "1" {
		t.Skip("set TEKSTORE_MEASURE=1")
	}
	defaults := ct.WithNodeConfig(func(nc *node.Config) {
		nc.HeartbeatTimeout, nc.ElectionTimeout, nc.LeaderLeaseTimeout, nc.CommitTimeout = 0, 0, 0, 0
	})

	t.Run("failover", func(t *testing.T) {
		c := ct.NewCluster(t, 3, defaults)
		p := c.NewProvider(c.Leader(), "GGD Measure")
		codes := c.IssueCodes(c.Leader(), p, 5)
		var took []time.Duration
		for i := range 5 {
			old := c.Leader().ID
			_, d := failover(t, c, codes[i], 1000+i)
			took = append(took, d)
			c.Restart(old)
			c.WaitForLeader()
			c.WaitForApplied(c.Leader().Node().AppliedIndex())
		}
		slices.Sort(took)
		t.Logf("MEASURE failover (kill of the leader to first successful publish): median %v, all %v", took[2], took)
	})

	t.Run("catch-up", func(t *testing.T) {
		const keys = 100_000
		c := ct.NewCluster(t, 3, defaults)
		f := c.Followers()[0]
		leader := c.Leader()
		p := c.NewProvider(leader, "GGD Measure")
		codes := c.IssueCodes(leader, p, uploadsFor(keys))
		c.Kill(f.ID)
		start := time.Now()
		seq := c.PublishMany(leader, codes, 0, 16)
		t.Logf("MEASURE published %d keys (%d uploads) in %v", keys, len(codes), time.Since(start))
		target := max(seq, leader.Node().AppliedIndex())
		start = time.Now()
		c.Restart(f.ID)
		c.WaitFor(f.ID+" caught up", func() bool { return f.Node().AppliedIndex() >= target })
		applied := time.Since(start)
		c.WaitFor(f.ID+" ready", func() bool { return f.Node().CaughtUp() })
		t.Logf("MEASURE catch-up of a follower that missed %d keys (%d log entries): %v from restart to applied (ready after %v)",
			keys, len(codes), applied, time.Since(start))
	})
}
