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

// TestTrailingLogsBoundedInBytes: the entries kept after a snapshot hold
// at most half of SnapshotLogBytes, never fewer than minTrailingLogs
// entries (or the configured count when that is lower), never more than
// the configured count.
func TestTrailingLogsBoundedInBytes(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		trailing uint64
		logBytes int64
		avg      int64
		want     uint64
	}{
		{10240, 32 * mib, 500, 10240},     // small entries: the count decides
		{10240, 32 * mib, 12 << 10, 1365}, // batched uploads: 16 MiB of entries
		{10240, 32 * mib, 1 * mib, 256},   // huge entries: the floor
		{100, 32 * mib, 1 * mib, 100},     // a configured count below the floor
		{10240, 32 * mib, 0, 10240},       // nothing known yet
		{10240, 64 * mib, 16 << 10, 2048}, // a larger volume trigger keeps more
	} {
		n := &Node{cfg: Config{TrailingLogs: tc.trailing, SnapshotLogBytes: tc.logBytes}}
		if got := n.trailingFor(tc.avg); got != tc.want {
			t.Errorf("trailing %d, log bytes %d, entries of %d bytes: keep %d, want %d", tc.trailing, tc.logBytes, tc.avg, got, tc.want)
		}
	}
}

// TestTrailingLogsFollowEntrySize: after a volume of large entries the
// node lowers raft's TrailingLogs, so the log kept after a snapshot stays
// within bytes.
func TestTrailingLogsFollowEntrySize(t *testing.T) {
	cfg := testNodeConfig("n1", t.TempDir(), "", true)
	cfg.SnapshotThreshold, cfg.SnapshotInterval, cfg.TrailingLogs = 1<<30, time.Hour, 10240
	cfg.SnapshotLogBytes = 64 << 10 // 32 KiB of trailing entries
	n := openNode(t, cfg)
	waitLeader(t, n)
	fill(t, n, workload.Options{Providers: 1, Submissions: 400})
	deadline := time.Now().Add(testWait)
	for n.raft.ReloadableConfig().TrailingLogs == 10240 {
		if time.Now().After(deadline) {
			t.Fatalf("TrailingLogs still %d after %d bytes in %d entries", n.raft.ReloadableConfig().TrailingLogs,
				n.adapter.appliedBytes.Load(), n.raft.AppliedIndex())
		}
		time.Sleep(20 * time.Millisecond)
	}
	avg := n.adapter.appliedBytes.Load() / int64(n.raft.AppliedIndex())
	if got, max := n.raft.ReloadableConfig().TrailingLogs, uint64(32<<10/avg)+minTrailingLogs; got > max {
		t.Fatalf("TrailingLogs %d with entries of about %d bytes, want at most %d", got, avg, max)
	}
}
