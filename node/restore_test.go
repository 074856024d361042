package node

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tekstore/tekstore/journal"
	"github.com/tekstore/tekstore/tools/journalgen/workload"
)

// liveBackup fills a single-node cluster, writes a backup of its state and
// stops it; it returns the backup's path and description.
func liveBackup(t *testing.T, subs int) (string, BackupInfo) {
	t.Helper()
	n := openNode(t, testNodeConfig("old1", t.TempDir(), "", true))
	waitLeader(t, n)
	fill(t, n, workload.Options{Submissions: subs, Providers: 2, AuthBatch: 10})
	path := filepath.Join(t.TempDir(), "backup.snap")
	info, err := WriteBackup(path, n.State())
	if err != nil {
		t.Fatalf("WriteBackup: %v", err)
	}
	if info.Index != n.AppliedIndex() {
		t.Fatalf("backup index %d, node applied %d", info.Index, n.AppliedIndex())
	}
	return path, info
}

func TestRestoreStartsSingleVoterClusterAtBackupIndex(t *testing.T) {
	backup, info := liveBackup(t, 30)
	dir := filepath.Join(t.TempDir(), "new1")
	got, err := Restore(dir, backup)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if got.Digest != info.Digest || got.Index != info.Index {
		t.Fatalf("Restore = %+v, backup %+v", got, info)
	}
	n := openNode(t, testNodeConfig("new1", dir, "", false))
	waitLeader(t, n)
	if n.AppliedIndex() != info.Index || n.State().Digest() != info.Digest {
		t.Fatalf("restored node at index %d digest %s, want %d %s", n.AppliedIndex(), n.State().Digest(), info.Index, info.Digest)
	}
	if _, err := os.Stat(filepath.Join(dir, restorePendingFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pending restore file still there: %v", err)
	}
	// Seqs continue after the backup's index.
	fill(t, n, workload.Options{Submissions: 3, Providers: 2, Offset: 30})
	if n.AppliedIndex() <= info.Index {
		t.Fatalf("applied %d after new writes, backup at %d", n.AppliedIndex(), info.Index)
	}
	// The restored node's journal starts after the backup, and says so.
	gaps, err := ReadJournalGaps(journalOf(dir))
	if err != nil || len(gaps) != 1 || gaps[0].After != 0 || gaps[0].Through != info.Index {
		t.Fatalf("journal gaps %+v (%v), want one (0, %d]", gaps, err, info.Index)
	}
	// A restart does not record the gap twice.
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	n = reopen(t, dir)
	waitLeader(t, n)
	if gaps, _ := ReadJournalGaps(journalOf(dir)); len(gaps) != 1 {
		t.Fatalf("journal gaps after restart %+v, want the one", gaps)
	}
	// Another node joins through a snapshot and has the same state.
	n2 := openNode(t, testNodeConfig("new2", t.TempDir(), "", false))
	joinVoter(t, n, n2)
	if n2.State().Digest() != n.State().Digest() {
		t.Fatal("joined node's digest differs")
	}
}

func TestRestoreRefusesUsedDirectory(t *testing.T) {
	backup, _ := liveBackup(t, 2)
	for name, prep := range map[string]func(dir string) error{
		"raft store": func(dir string) error { return os.WriteFile(filepath.Join(dir, raftDBFile), nil, 0o600) },
		"snapshots":  func(dir string) error { return os.MkdirAll(filepath.Join(dir, snapshotsDir, "1-2-3"), 0o700) },
		"journal": func(dir string) error {
			w, err := journal.Open(filepath.Join(dir, journalDirName), journal.Options{})
			if err == nil {
				err = w.Append(5, 1, []byte("x"))
			}
			if err == nil {
				err = w.Close()
			}
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := prep(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := Restore(dir, backup); !errors.Is(err, ErrHasState) {
				t.Fatalf("Restore error %v, want ErrHasState", err)
			}
			if _, err := os.Stat(filepath.Join(dir, restorePendingFile)); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("a refused restore left a pending file")
			}
		})
	}
}

func TestRestoreRefusesBadBackup(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.snap")
	if err := os.WriteFile(bad, []byte("TEKSNAP\nnope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(t.TempDir(), bad); !errors.Is(err, ErrBadBackup) {
		t.Fatalf("Restore error %v, want ErrBadBackup", err)
	}
}

func TestRestoredNodeNeedsTheBackupsRetention(t *testing.T) {
	backup, _ := liveBackup(t, 2)
	dir := t.TempDir()
	if _, err := Restore(dir, backup); err != nil {
		t.Fatal(err)
	}
	cfg := testNodeConfig("r1", dir, "", false)
	cfg.Retention = 7 * 24 * time.Hour
	if n, err := Open(cfg); err == nil {
		n.Close()
		t.Fatal("Open with another retention installed the backup")
	}
	// With the right retention the same directory starts.
	n := openNode(t, testNodeConfig("r1", dir, "", false))
	waitLeader(t, n)
}
