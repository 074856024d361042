package node

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/tekstore/tekstore/journal"
	"github.com/tekstore/tekstore/tools/journalgen/workload"
)

// The journal is synced off the apply path, so a machine crash may cost it
// a tail of records that Raft had committed and applied. Those records are
// still in the Raft log: after a restart Raft applies them again and the
// journal gets them back, also when a snapshot was taken in between.
func TestJournalTailLostInCrashIsRebuiltFromRaftLog(t *testing.T) {
	dir := t.TempDir()
	n := openNode(t, testNodeConfig("n1", dir, "", true))
	waitLeader(t, n)
	fill(t, n, workload.Options{Submissions: 30, Providers: 2, AuthBatch: 10})
	if err := n.Raft().Snapshot().Error(); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	snapIndex := n.AppliedIndex()
	fill(t, n, workload.Options{Submissions: 30, Providers: 2, AuthBatch: 10, Offset: 30})
	last, want := n.AppliedIndex(), n.State().Digest()
	if err := n.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	// The crash: the journal loses everything after the snapshot, as if
	// those writes had never reached the disk.
	cutJournalAfter(t, journalOf(dir), snapIndex)

	n = reopen(t, dir)
	waitLeader(t, n)
	waitApplied(t, n, last)
	if got := n.State().Digest(); got != want {
		t.Fatalf("digest after restart %s, want %s", got, want)
	}
	if err := n.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if gaps, err := ReadJournalGaps(journalOf(dir)); err != nil || len(gaps) > 0 {
		t.Fatalf("journal gaps %v (%v), want none", gaps, err)
	}
	res, err := Rebuild(context.Background(), RebuildOptions{JournalDir: journalOf(dir)})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if res.LastIndex < last || res.State.Digest() != want {
		t.Fatalf("journal rebuilds index %d with digest %s; want >= %d with %s", res.LastIndex, res.State.Digest(), last, want)
	}
}

// cutJournalAfter rewrites the journal in dir with its records up to index
// keep only.
func cutJournalAfter(t *testing.T, dir string, keep uint64) {
	t.Helper()
	r, err := journal.NewReader(dir, journal.ReadOptions{})
	if err != nil {
		t.Fatalf("journal reader: %v", err)
	}
	var kept []journal.Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read journal: %v", err)
		}
		if rec.Index <= keep {
			kept = append(kept, rec)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatalf("journal reader: %v", err)
	}
	if len(kept) == 0 || kept[len(kept)-1].Index != keep {
		t.Fatalf("journal lacks index %d", keep)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	w, err := journal.Open(dir, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range kept {
		if err := w.Append(rec.Index, rec.Term, rec.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
