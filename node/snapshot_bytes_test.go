package node

import (
	"strconv"
	"testing"
	"time"

	"github.com/tekstore/tekstore/tools/journalgen/workload"
)

// TestSnapshotByVolume: with a small SnapshotLogBytes and the count and
// interval triggers out of reach, a volume of uploads makes the node take a
// snapshot and compact its log.
func TestSnapshotByVolume(t *testing.T) {
	cfg := testNodeConfig("n1", t.TempDir(), "", true)
	cfg.SnapshotThreshold, cfg.SnapshotInterval, cfg.TrailingLogs = 1<<30, time.Hour, 4
	cfg.SnapshotLogBytes = 16 << 10
	n := openNode(t, cfg)
	waitLeader(t, n)
	if n.lastSnapshotIndex() != 0 {
		t.Fatalf("snapshot before any load")
	}
	fill(t, n, workload.Options{Providers: 1, Submissions: 100})
	deadline := time.Now().Add(testWait)
	for n.lastSnapshotIndex() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot after %d bytes of commands", n.adapter.appliedBytes.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for n.adapter.snapshotting.Load() != 0 { // tekstore_snapshots_in_progress
		if time.Now().After(deadline) {
			t.Fatalf("snapshot still counted in progress after it was taken")
		}
		time.Sleep(20 * time.Millisecond)
	}
	first, err := n.store.FirstIndex()
	if err != nil {
		t.Fatal(err)
	}
	if first <= 1 {
		t.Fatalf("log not compacted after the snapshot: first index %d", first)
	}
}

// lastSnapshotIndex returns the index of the newest snapshot (0: none).
func (n *Node) lastSnapshotIndex() uint64 {
	idx, _ := strconv.ParseUint(n.raft.Stats()["last_snapshot_index"], 10, 64)
	return idx
}
