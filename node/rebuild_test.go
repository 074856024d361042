package node

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/journal"
	"github.com/tekstore/tekstore/tools/journalgen/workload"
)

// genStart is the leader time of generated journals: early in a UTC day,
// so a whole workload stays on one day.
var genStart = time.Date(2026, 3, 2, 0, 10, 0, 0, time.UTC)

func smallWorkload(subs int) workload.Options {
	return workload.Options{Submissions: subs, Providers: 3, AuthBatch: 50, SealEvery: 40, Start: genStart}
}

func TestRebuildFromNothingMatchesAppliedState(t *testing.T) {
	dir := t.TempDir()
	want := writeJournal(t, dir, smallWorkload(300), journal.Options{SegmentBytes: 32 << 10})
	res, err := Rebuild(context.Background(), RebuildOptions{JournalDir: dir})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if got, want := res.State.Digest(), want.Digest(); got != want {
		t.Fatalf("rebuilt digest %s, want %s", got, want)
	}
	if res.FirstIndex != 3 || res.LastIndex != want.Index() || res.Records != int64(want.Index()-2) {
		t.Fatalf("records %d, index %d..%d; want %d, 3..%d", res.Records, res.FirstIndex, res.LastIndex, want.Index()-2, want.Index())
	}
	out := filepath.Join(t.TempDir(), "rebuilt.snap")
	info, err := WriteBackup(out, res.State)
	if err != nil {
		t.Fatalf("WriteBackup: %v", err)
	}
	_, loaded, err := LoadBackup(out)
	if err != nil {
		t.Fatalf("LoadBackup: %v", err)
	}
	if loaded.Digest != info.Digest || loaded.Index != want.Index() || loaded.Bytes != info.Bytes {
		t.Fatalf("loaded %+v, wrote %+v", loaded, info)
	}
}

func TestRebuildFromBackupAppliesOnlyLaterRecords(t *testing.T) {
	dir := t.TempDir()
	opts := smallWorkload(200)
	want := writeJournal(t, dir, opts, journal.Options{})
	// The backup: the state after the first half of the journal.
	half := fsm.New(fsm.Config{})
	r, err := journal.NewReader(dir, journal.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for half.Index() < want.Index()/2 {
		rec, err := r.Next()
		if err != nil {
			t.Fatalf("read journal: %v", err)
		}
		if _, err := half.Apply(rec.Index, rec.Data); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	backup := filepath.Join(t.TempDir(), "half.snap")
	if _, err := WriteBackup(backup, half); err != nil {
		t.Fatal(err)
	}
	res, err := Rebuild(context.Background(), RebuildOptions{JournalDir: dir, FromBackup: backup})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if res.BaseIndex != half.Index() || res.FirstIndex != half.Index()+1 {
		t.Fatalf("base %d first %d, want base %d", res.BaseIndex, res.FirstIndex, half.Index())
	}
	if got, want := res.State.Digest(), want.Digest(); got != want {
		t.Fatalf("digest %s, want %s", got, want)
	}
}

// corruptRecord flips a byte in the data of a record in the middle of the
// first segment and returns the segment's path.
func corruptRecord(t *testing.T, dir string) string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil || len(segs) < 2 {
		t.Fatalf("want several segments, got %v (%v)", segs, err)
	}
	b, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(segs[0], b, 0o640); err != nil {
		t.Fatal(err)
	}
	return segs[0]
}

func TestRebuildStopsAtCorruptRecordUnlessSkipping(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir, smallWorkload(200), journal.Options{SegmentBytes: 16 << 10})
	seg := corruptRecord(t, dir)

	_, err := Rebuild(context.Background(), RebuildOptions{JournalDir: dir})
	var ce *journal.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Rebuild error %v, want a *journal.CorruptError", err)
	}
	if ce.Segment != seg || ce.Offset <= 0 || ce.LastGood == 0 {
		t.Fatalf("corrupt error %+v does not locate the damage in %s", ce, seg)
	}
	if !strings.Contains(err.Error(), "offset") || !strings.Contains(err.Error(), seg) {
		t.Fatalf("error %q does not name segment and offset", err)
	}

	res, err := Rebuild(context.Background(), RebuildOptions{JournalDir: dir, SkipCorrupt: true})
	if err != nil {
		t.Fatalf("Rebuild with SkipCorrupt: %v", err)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Segment != seg || res.Skipped[0].AfterIndex != ce.LastGood {
		t.Fatalf("skipped %+v, want one region in %s after %d", res.Skipped, seg, ce.LastGood)
	}
}

func TestRebuildRefusesPrunedJournal(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir, smallWorkload(200), journal.Options{SegmentBytes: 16 << 10, RetainBytes: 40 << 10})
	_, err := Rebuild(context.Background(), RebuildOptions{JournalDir: dir})
	if !errors.Is(err, ErrJournalPruned) {
		t.Fatalf("Rebuild error %v, want ErrJournalPruned", err)
	}
	res, err := Rebuild(context.Background(), RebuildOptions{JournalDir: dir, AllowPruned: true})
	if err != nil {
		t.Fatalf("Rebuild with AllowPruned: %v", err)
	}
	if res.PrunedThrough == 0 || res.FirstIndex != res.PrunedThrough+1 {
		t.Fatalf("pruned through %d, first index %d", res.PrunedThrough, res.FirstIndex)
	}
}

func TestRebuildRefusesJournalGap(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir, smallWorkload(20), journal.Options{})
	if err := recordJournalGap(dir, JournalGap{After: 0, Through: 10, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Rebuild(context.Background(), RebuildOptions{JournalDir: dir}); !errors.Is(err, ErrJournalGap) {
		t.Fatalf("Rebuild error %v, want ErrJournalGap", err)
	}
}

func TestRebuildStopsAtUnappliableCommand(t *testing.T) {
	dir := t.TempDir()
	w, err := journal.Open(dir, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(7, 1, []byte("not an envelope")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = Rebuild(context.Background(), RebuildOptions{JournalDir: dir})
	var fe *fsm.FatalError
	if !errors.As(err, &fe) || fe.Index != 7 {
		t.Fatalf("Rebuild error %v, want a FatalError at index 7", err)
	}
}

func TestRebuildHonoursContext(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir, smallWorkload(10), journal.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Rebuild(ctx, RebuildOptions{JournalDir: dir}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Rebuild error %v, want context.Canceled", err)
	}
}
