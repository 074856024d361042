package journal

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestTornTailTruncatedOnReopen(t *testing.T) {
	const size = 300
	opts := Options{SegmentBytes: 4 << 10}
	es := entries(1, 60, size)
	last := es[len(es)-1]
	nextSeg := func(dir string) string { return filepath.Join(dir, segmentName(last.index+1)) }

	tests := []struct {
		name      string
		entries   []entry
		damage    func(t *testing.T, dir string, loc location)
		intact    []entry // what survives
		tail      int64   // TornTail a reader reports before recovery
		truncated int64   // Recovery.TruncatedBytes
		removed   int     // len(Recovery.RemovedSegments)
	}{
		{
			name: "cut inside payload", entries: es, intact: es[:len(es)-1], tail: 40, truncated: 40,
			damage: func(t *testing.T, _ string, loc location) { truncateFile(t, loc.path, loc.off+40) },
		},
		{
			name: "cut inside record header", entries: es, intact: es[:len(es)-1], tail: 5, truncated: 5,
			damage: func(t *testing.T, _ string, loc location) { truncateFile(t, loc.path, loc.off+5) },
		},
		{
			name: "cut inside checksum", entries: es, intact: es[:len(es)-1], tail: recordOverhead + size - 2,
			truncated: recordOverhead + size - 2,
			damage: func(t *testing.T, _ string, loc location) {
				truncateFile(t, loc.path, loc.off+recordOverhead+size-2)
			},
		},
		{
			name: "garbage after last record", entries: es, intact: es, tail: 50, truncated: 50,
			damage: func(t *testing.T, _ string, loc location) {
				appendToFile(t, loc.path, bytes.Repeat([]byte{0xa5}, 50))
			},
		},
		{
			name: "zeros after last record", entries: es, intact: es, tail: 1000, truncated: 1000,
			damage: func(t *testing.T, _ string, loc location) { appendToFile(t, loc.path, make([]byte, 1000)) },
		},
		{
			name: "last record zeroed", entries: es, intact: es[:len(es)-1], tail: recordOverhead + size,
			truncated: recordOverhead + size,
			damage: func(t *testing.T, _ string, loc location) {
				truncateFile(t, loc.path, loc.off)
				appendToFile(t, loc.path, make([]byte, recordOverhead+size))
			},
		},
		{
			name: "new segment with partial header", entries: es, intact: es, tail: 10, removed: 1,
			damage: func(t *testing.T, dir string, _ location) {
				if err := os.WriteFile(nextSeg(dir), appendSegmentHeader(nil, last.index)[:10], 0o600); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "new segment with header only", entries: es, intact: es, tail: 0, removed: 1,
			damage: func(t *testing.T, dir string, _ location) { writeSegment(t, dir, last.index+1, last.index) },
		},
		{
			name: "new segment with torn first record", entries: es, intact: es, tail: 100, removed: 1,
			damage: func(t *testing.T, dir string, _ location) {
				p := writeSegment(t, dir, last.index+1, last.index)
				rec := appendRecord(nil, last.index+1, last.term, payload(last.index+1, size))
				appendToFile(t, p, rec[:100])
			},
		},
		{
			name: "first record of the journal torn", entries: es[:1], intact: nil, tail: 30, truncated: 30,
			damage: func(t *testing.T, _ string, loc location) { truncateFile(t, loc.path, loc.off+30) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeJournal(t, dir, opts, tt.entries)
			locs := layout(t, dir)
			tt.damage(t, dir, locs[len(locs)-1])

			// A reader treats the torn tail as the end, not as corruption.
			got, r, err := readAll(t, dir, ReadOptions{})
			if err != nil {
				t.Fatalf("read before recovery: %v", err)
			}
			checkRecords(t, got, tt.intact)
			if r.TornTail() != tt.tail {
				t.Fatalf("TornTail = %d, want %d", r.TornTail(), tt.tail)
			}

			w, err := Open(dir, opts)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			rec := w.Recovery()
			if rec.TruncatedBytes != tt.truncated || len(rec.RemovedSegments) != tt.removed || len(rec.Damaged) != 0 {
				t.Fatalf("Recovery = %+v, want %d bytes truncated, %d segments removed", rec, tt.truncated, tt.removed)
			}
			var wantLast uint64
			if len(tt.intact) > 0 {
				wantLast = tt.intact[len(tt.intact)-1].index
			}
			if got := w.LastIndex(); got != wantLast {
				t.Fatalf("LastIndex = %d, want %d", got, wantLast)
			}
			// Appends continue; a record lost in the tail is applied again.
			more := entries(wantLast+1, 30, size)
			for _, e := range more {
				if err := w.Append(e.index, e.term, payload(e.index, e.size)); err != nil {
					t.Fatalf("Append(%d): %v", e.index, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			want := append(append([]entry(nil), tt.intact...), more...)
			got, r, err = readAll(t, dir, ReadOptions{})
			if err != nil {
				t.Fatalf("read after recovery: %v", err)
			}
			checkRecords(t, got, want)
			if r.TornTail() != 0 {
				t.Fatalf("TornTail after recovery = %d", r.TornTail())
			}
		})
	}
}

func TestOpenKeepsEmptyOnlySegment(t *testing.T) {
	// A pruned journal whose new segment lost its only record keeps the
	// segment: it is the only one that knows where the journal stands.
	dir := t.TempDir()
	writeSegment(t, dir, 500, 499)
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.LastIndex(); got != 499 {
		t.Fatalf("LastIndex = %d, want 499", got)
	}
	if err := w.Append(450, 1, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(503, 1, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, r, err := readAll(t, dir, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Index != 503 || r.PrunedThrough() != 499 {
		t.Fatalf("read %+v, PrunedThrough %d; want record 503 after 499", got, r.PrunedThrough())
	}
}

func TestOpenReplacesEmptySegmentForLowerIndex(t *testing.T) {
	dir := t.TempDir()
	writeSegment(t, dir, 500, 0)
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(3, 1, []byte("three")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if paths := segmentPaths(t, dir); len(paths) != 1 || filepath.Base(paths[0]) != segmentName(3) {
		t.Fatalf("segments %v, want only %s", paths, segmentName(3))
	}
	got, _, err := readAll(t, dir, ReadOptions{})
	if err != nil || len(got) != 1 || got[0].Index != 3 {
		t.Fatalf("read %+v, %v", got, err)
	}
}
