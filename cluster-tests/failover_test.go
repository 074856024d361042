package clustertests

import (
	"net/http"
	"testing"
	"time"

	ct "github.com/tekstore/tekstore/cluster-tests/clustertest"
)

// failover kills the leader and returns the new leader and the time from
// the kill to the first successful publish (sent to a surviving node).
func failover(t *testing.T, c *ct.Cluster, code string, upload int) (*ct.Node, time.Duration) {
	t.Helper()
	old := c.Leader()
	var survivor *ct.Node
	for _, n := range c.Followers() {
		survivor = n
	}
	start := time.Now()
	c.Kill(old.ID)
	var took time.Duration
	c.WaitFor("a publish after the leader died", func() bool {
		_, r, err := ct.Publish(survivor, code, upload)
		if err == nil && r.Status == http.StatusOK {
			took = time.Since(start)
			return true
		}
		return false
	})
	return c.WaitForNewLeader(old.ID), took
}

// TestLeaderFailover: after the leader dies a new one is elected and
// publishes succeed; the old leader comes back as a follower and catches up.
func TestLeaderFailover(t *testing.T) {
	c := ct.NewCluster(t, 3)
	old := c.Leader()
	p := c.NewProvider(old, "GGD Failover")
	codes := c.IssueCodes(old, p, 3)
	if _, r, err := ct.Publish(old, codes[0], 100); err != nil || r.Status != http.StatusOK {
		t.Fatalf("publish before failover: %v %d", err, r.Status)
	}
	leader, took := failover(t, c, codes[1], 101)
	t.Logf("failover: first publish %v after the kill", took)
	if leader.ID == old.ID {
		t.Fatalf("leader still %s", old.ID)
	}
	c.Restart(old.ID)
	c.WaitForLeader()                                       // every node, the restarted one too, knows the leader
	res, r, err := ct.Publish(c.Get(old.ID), codes[2], 102) // forwarded by the old leader
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("publish through the restarted old leader: %v %d %s", err, r.Status, r.Body)
	}
	c.WaitForApplied(res.Seq)
}
