package clustertests

import (
	"testing"

	ct "github.com/tekstore/tekstore/cluster-tests/clustertest"
	"github.com/tekstore/tekstore/fsm"
)

// TestClusterReachesNewestFeatureLevel: once every member announces the
// newest level in gossip, the leader raises the cluster to it and every
// node applies that.
func TestClusterReachesNewestFeatureLevel(t *testing.T) {
	c := ct.NewCluster(t, 3)
	c.WaitFor("every node at the newest feature level", func() bool {
		for _, n := range c.Running() {
			if n.Node().FeatureLevel() != fsm.MaxFeatureLevel {
				return false
			}
		}
		return true
	})
}
