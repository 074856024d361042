package journal

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestRoundTripAcrossRotations(t *testing.T) {
	tests := []struct {
		name  string
		read  ReadOptions
		sizes []int
	}{
		{"copied data", ReadOptions{}, []int{0, 1, 100, 600, 333}},
		{"reused data", ReadOptions{ReuseData: true}, []int{600, 7, 250}},
		{"records larger than buffer and segment", ReadOptions{BufferBytes: minReadBufferBytes}, []int{500, 100 << 10, 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{SegmentBytes: 8 << 10}
			es := entries(1, 400, tt.sizes...)
			writeJournal(t, dir, opts, es)

			paths := segmentPaths(t, dir)
			if len(paths) < 5 {
				t.Fatalf("got %d segments, want several rotations", len(paths))
			}
			locs := layout(t, dir)
			for _, p := range paths {
				base, _ := parseSegmentName(filepath.Base(p))
				var first *location
				for i := range locs {
					if locs[i].path == p {
						first = &locs[i]
						break
					}
				}
				if first == nil || first.index != base {
					t.Fatalf("segment %s: first record %v, want index %d", p, first, base)
				}
			}

			got, _, err := readAll(t, dir, tt.read)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			checkRecords(t, got, es)

			// Reopen and continue: the new records follow the old ones.
			w, err := Open(dir, opts)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			if got, want := w.LastIndex(), es[len(es)-1].index; got != want {
				t.Fatalf("LastIndex after reopen = %d, want %d", got, want)
			}
			more := entries(es[len(es)-1].index+1, 50, 300)
			for _, e := range more {
				if err := w.Append(e.index, e.term, payload(e.index, e.size)); err != nil {
					t.Fatalf("Append(%d): %v", e.index, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, _, err = readAll(t, dir, tt.read)
			if err != nil {
				t.Fatalf("read after reopen: %v", err)
			}
			checkRecords(t, got, append(es, more...))
		})
	}
}

func TestAppendIgnoresIndexesAlreadyJournaled(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	es := entries(1, 20, 40)
	for _, e := range es {
		if err := w.Append(e.index, e.term, payload(e.index, e.size)); err != nil {
			t.Fatal(err)
		}
	}
	last := es[len(es)-1].index
	replays := []uint64{0, 1, 5, last}
	for _, index := range replays {
		if err := w.Append(index, 99, []byte("replayed")); err != nil {
			t.Fatalf("Append(%d) replay: %v", index, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// After a restart Raft replays again: still ignored.
	w, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.LastIndex(); got != last {
		t.Fatalf("LastIndex = %d, want %d", got, last)
	}
	for _, index := range replays {
		if err := w.Append(index, 99, []byte("replayed")); err != nil {
			t.Fatalf("Append(%d) replay after reopen: %v", index, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := readAll(t, dir, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, got, es)
}

func TestAppendErrors(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(1, 1, make([]byte, MaxRecordBytes+1)); !errors.Is(err, ErrRecordTooLarge) {
		t.Fatalf("oversized Append: %v, want ErrRecordTooLarge", err)
	}
	if got := w.LastIndex(); got != 0 {
		t.Fatalf("LastIndex after refused Append = %d, want 0", got)
	}
	if err := w.Append(1, 1, []byte("ok")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := w.Append(2, 1, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v, want ErrClosed", err)
	}
	if err := w.Sync(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Sync after Close: %v, want ErrClosed", err)
	}
	if _, err := Open(dir, Options{SegmentBytes: -1}); err == nil {
		t.Fatal("Open with negative SegmentBytes succeeded")
	}
}

func TestSizeBytesAndSync(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{SegmentBytes: 4 << 10, SyncEvery: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.SizeBytes(); got != 0 {
		t.Fatalf("SizeBytes of empty journal = %d", got)
	}
	for _, e := range entries(1, 100, 200) {
		if err := w.Append(e.index, e.term, payload(e.index, e.size)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Sync(); err != nil {
		t.Fatal(err)
	}
	var onDisk int64
	for _, p := range segmentPaths(t, dir) {
		onDisk += fileSize(t, p)
	}
	if got := w.SizeBytes(); got != onDisk {
		t.Fatalf("SizeBytes = %d, files hold %d", got, onDisk)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Close() }()
	if got := w.SizeBytes(); got != onDisk {
		t.Fatalf("SizeBytes after reopen = %d, files hold %d", got, onDisk)
	}
}

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	es := entries(10, 300, 120, 600)
	writeJournal(t, dir, Options{SegmentBytes: 16 << 10}, es)
	st, err := Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	var data int64
	for _, e := range es {
		data += int64(e.size)
	}
	want := Stats{
		Segments: len(segmentPaths(t, dir)), Records: int64(len(es)), DataBytes: data,
		FirstIndex: es[0].index, LastIndex: es[len(es)-1].index,
		FileBytes: int64(len(segmentPaths(t, dir)))*headerSize + data + int64(len(es))*recordOverhead,
	}
	if st != want {
		t.Fatalf("Verify = %+v, want %+v", st, want)
	}
	if want.Segments < 2 {
		t.Fatalf("want several segments, got %d", want.Segments)
	}

	empty, err := Verify(t.TempDir())
	if err != nil || empty != (Stats{}) {
		t.Fatalf("Verify(empty) = %+v, %v", empty, err)
	}
	if _, err := Verify(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("Verify of a missing directory succeeded")
	}
}

func TestFromIndex(t *testing.T) {
	dir := t.TempDir()
	es := entries(1, 300, 200)
	writeJournal(t, dir, Options{SegmentBytes: 4 << 10}, es)
	for _, from := range []uint64{1, 2, 7, 100, es[len(es)-1].index, es[len(es)-1].index + 1} {
		var want []entry
		for _, e := range es {
			if e.index >= from {
				want = append(want, e)
			}
		}
		got, _, err := readAll(t, dir, ReadOptions{FromIndex: from})
		if err != nil {
			t.Fatalf("FromIndex %d: %v", from, err)
		}
		checkRecords(t, got, want)
	}
}
