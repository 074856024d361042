package node

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tekstore/tekstore/tools/journalgen/workload"
)

// copyDir copies the regular files of src into dst (an archived journal).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// Drill (c): every data directory is lost. The last backup plus the
// journal of any node (here a follower's, archived off the machines)
// give back the state at the journal's last index.
func TestDrillAllDataLost(t *testing.T) {
	nodes, dirs := startCluster(t)
	fill(t, nodes[0], workload.Options{Submissions: 20, Providers: 2, AuthBatch: 10})
	backup := filepath.Join(t.TempDir(), "nightly.snap")
	binfo, err := WriteBackup(backup, nodes[0].State())
	if err != nil {
		t.Fatal(err)
	}
	fill(t, nodes[0], workload.Options{Submissions: 15, Providers: 2, AuthBatch: 10, Offset: 20})
	last := nodes[0].AppliedIndex()
	for _, n := range nodes[1:] {
		waitApplied(t, n, last)
	}
	want := nodes[0].State().Digest()
	for _, n := range nodes {
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}
	archived := filepath.Join(t.TempDir(), "n2-journal")
	copyDir(t, journalOf(dirs[1]), archived)
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}

	res, err := Rebuild(context.Background(), RebuildOptions{JournalDir: archived, FromBackup: backup})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if res.BaseIndex != binfo.Index || res.LastIndex != last {
		t.Fatalf("replayed %d..%d from base %d, want base %d through %d", res.FirstIndex, res.LastIndex, res.BaseIndex, binfo.Index, last)
	}
	out := filepath.Join(t.TempDir(), "recovered.snap")
	if _, err := WriteBackup(out, res.State); err != nil {
		t.Fatal(err)
	}
	newDir := t.TempDir()
	if _, err := Restore(newDir, out); err != nil {
		t.Fatal(err)
	}
	n := openNode(t, testNodeConfig("n1", newDir, "", false))
	waitLeader(t, n)
	if got := n.State().Digest(); got != want || n.AppliedIndex() != last {
		t.Fatalf("restored cluster at %d digest %s, want %d %s", n.AppliedIndex(), got, last, want)
	}
	fill(t, n, workload.Options{Submissions: 2, Providers: 2, Offset: 35})
}
