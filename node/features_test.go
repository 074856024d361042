package node

import (
	"context"
	"testing"

	"github.com/tekstore/tekstore/fsm"
)

// A new cluster reaches the newest feature level right after bootstrap:
// its only member is this release.
func TestBootstrappedNodeReachesNewestFeatureLevel(t *testing.T) {
	n := openNode(t, testNodeConfig("n1", t.TempDir(), "", true))
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	if err := n.WaitForFeatureLevel(ctx, fsm.MaxFeatureLevel); err != nil {
		t.Fatal(err)
	}
}

// The level every member reads is the lowest one announced; a member that
// announces nothing (release v0.1.0) reads Level1.
func TestReadableLevelIsTheLowestAnnounced(t *testing.T) {
	nodes, _ := startCluster(t)
	leader := nodes[0]
	tests := []struct {
		name string
		src  FeatureLevelSource
		want uint32
	}{
		{"no source", nil, fsm.Level1},
		{"one member silent", func(id string) (uint32, bool) { return fsm.Level2, id == "n2" }, fsm.Level1},
		{"one member at level 1", func(id string) (uint32, bool) {
			if id == "n3" {
				return fsm.Level1, true
			}
			return fsm.Level2, true
		}, fsm.Level1},
		{"every member at level 2", func(string) (uint32, bool) { return fsm.Level2, true }, fsm.Level2},
		{"a member from the future", func(string) (uint32, bool) { return fsm.MaxFeatureLevel + 5, true }, fsm.MaxFeatureLevel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			leader.SetFeatureLevelSource(tc.src)
			got, err := leader.readableLevel()
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("readableLevel = %d, want %d", got, tc.want)
			}
		})
	}
}
