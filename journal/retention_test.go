package journal

import (
	"os"
	"slices"
	"testing"
	"time"
)

func TestRetainBytesRemovesWholeOldSegments(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentBytes: 4 << 10, RetainBytes: 12 << 10}
	w, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	es := entries(1, 300, 300)
	for _, e := range es {
		if err := w.Append(e.index, e.term, payload(e.index, e.size)); err != nil {
			t.Fatalf("Append(%d): %v", e.index, err)
		}
		if got, limit := w.SizeBytes(), opts.RetainBytes+opts.SegmentBytes; got > limit {
			t.Fatalf("SizeBytes = %d after %d, want <= %d", got, e.index, limit)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	locs := layout(t, dir)
	first := locs[0].index
	var kept []entry
	var prunedThrough uint64
	for _, e := range es {
		if e.index >= first {
			kept = append(kept, e)
		} else {
			prunedThrough = e.index
		}
	}
	if len(kept) == len(es) || prunedThrough == 0 {
		t.Fatal("retention removed nothing")
	}
	// Whole segments only: what remains starts exactly at a segment start
	// and reads without a gap.
	got, r, err := readAll(t, dir, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, got, kept)
	if r.PrunedThrough() != prunedThrough {
		t.Fatalf("PrunedThrough = %d, want %d", r.PrunedThrough(), prunedThrough)
	}
	st, err := Verify(dir)
	if err != nil || st.PrunedThrough != prunedThrough || st.FileBytes > opts.RetainBytes+opts.SegmentBytes {
		t.Fatalf("Verify = %+v, %v", st, err)
	}
}

func TestRetainAgeRemovesOnlyOldClosedSegments(t *testing.T) {
	dir := t.TempDir()
	es := entries(1, 100, 300)
	writeJournal(t, dir, Options{SegmentBytes: 4 << 10}, es)
	paths := segmentPaths(t, dir)
	if len(paths) < 4 {
		t.Fatalf("want 4 or more segments, got %d", len(paths))
	}
	old := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{paths[0], paths[1], paths[len(paths)-1]} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	locs := layout(t, dir)

	// Without retention options nothing is removed.
	w, err := Open(dir, Options{SegmentBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if removed, err := w.Prune(); err != nil || len(removed) != 0 {
		t.Fatalf("Prune without retention = %v, %v", removed, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	w, err = Open(dir, Options{SegmentBytes: 4 << 10, RetainAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Close() }()
	// The active segment is old too, but it is never removed.
	if got, want := segmentPaths(t, dir), paths[2:]; !slices.Equal(got, want) {
		t.Fatalf("segments after Open = %v, want %v", got, want)
	}
	if removed, err := w.Prune(); err != nil || len(removed) != 0 {
		t.Fatalf("second Prune = %v, %v", removed, err)
	}
	var kept []entry
	for _, e := range es {
		if f := fileOf(locs, e.index); f != paths[0] && f != paths[1] {
			kept = append(kept, e)
		}
	}
	got, _, err := readAll(t, dir, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, got, kept)
}

// fileOf returns the segment holding index.
func fileOf(locs []location, index uint64) string {
	for _, l := range locs {
		if l.index == index {
			return l.path
		}
	}
	return ""
}
