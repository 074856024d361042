package journal

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// payload returns deterministic test data of n bytes for index.
func payload(index uint64, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(index*31 + uint64(i)*7)
	}
	return b
}

// entry is one record a test appends.
type entry struct {
	index, term uint64
	size        int
}

// entries returns n entries starting at index from, with a gap after every
// seventh index and payload sizes cycling through sizes.
func entries(from uint64, n int, sizes ...int) []entry {
	out := make([]entry, 0, n)
	index := from
	for i := range n {
		out = append(out, entry{index: index, term: 1 + index/50, size: sizes[i%len(sizes)]})
		index++
		if index%7 == 0 {
			index++ // not every Raft entry is a command
		}
	}
	return out
}

// writeJournal appends es to the journal in dir and closes it. It measures
// nothing: it is the fixture that builds journals for the tests.
func writeJournal(t *testing.T, dir string, opts Options, es []entry) {
	t.Helper()
	w, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	for _, e := range es {
		if err := w.Append(e.index, e.term, payload(e.index, e.size)); err != nil {
			t.Fatalf("Append(%d): %v", e.index, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// readAll reads the journal until io.EOF or an error and returns the records
// read and that error (nil for io.EOF), plus the reader for inspection.
func readAll(t *testing.T, dir string, opts ReadOptions) ([]Record, *Reader, error) {
	t.Helper()
	r, err := NewReader(dir, opts)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	var recs []Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return recs, r, nil
		}
		if err != nil {
			return recs, r, err
		}
		if opts.ReuseData {
			rec.Data = bytes.Clone(rec.Data)
		}
		recs = append(recs, rec)
	}
}

// checkRecords compares records read with the entries written.
func checkRecords(t *testing.T, got []Record, want []entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d records, want %d", len(got), len(want))
	}
	for i, e := range want {
		g := got[i]
		if g.Index != e.index || g.Term != e.term || !bytes.Equal(g.Data, payload(e.index, e.size)) {
			t.Fatalf("record %d: got index %d term %d len %d, want index %d term %d len %d",
				i, g.Index, g.Term, len(g.Data), e.index, e.term, e.size)
		}
	}
}

// without returns es minus the entries whose index is in drop.
func without(es []entry, drop ...uint64) []entry {
	out := make([]entry, 0, len(es))
next:
	for _, e := range es {
		for _, d := range drop {
			if e.index == d {
				continue next
			}
		}
		out = append(out, e)
	}
	return out
}

// location is where a record lies in a segment file.
type location struct {
	path  string
	off   int64
	index uint64
	size  int64
}

// layout returns the location of every intact record, in order.
func layout(t *testing.T, dir string) []location {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []location
	for _, seg := range segs {
		s, err := openScanner(seg, make([]byte, DefaultReadBufferBytes))
		if err != nil {
			t.Fatal(err)
		}
		if st, err := s.readHeader(); st != scanOK {
			t.Fatalf("header of %s: %v", seg.path, err)
		}
		for {
			off := s.off
			rec, st, _ := s.next(0)
			if st != scanOK {
				break
			}
			out = append(out, location{path: seg.path, off: off, index: rec.index, size: s.off - off})
		}
		if err := s.close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// find returns the location of the record with index.
func find(t *testing.T, locs []location, index uint64) location {
	t.Helper()
	for _, l := range locs {
		if l.index == index {
			return l
		}
	}
	t.Fatalf("no record with index %d", index)
	return location{}
}

// segmentPaths lists the segment files in dir.
func segmentPaths(t *testing.T, dir string) []string {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(segs))
	for i, s := range segs {
		paths[i] = s.path
	}
	return paths
}

// xorByte flips bits of the byte at off in the file at path.
func xorByte(t *testing.T, path string, off int64, mask byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= mask
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// truncateFile cuts the file at path to size bytes.
func truncateFile(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// appendToFile appends raw bytes to the file at path.
func appendToFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// fileSize returns the size of the file at path.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// writeSegment writes a segment file by hand: a header with prev, then the
// given records, for layouts the Writer refuses to produce.
func writeSegment(t *testing.T, dir string, base, prev uint64, recs ...Record) string {
	t.Helper()
	b := appendSegmentHeader(nil, prev)
	for _, r := range recs {
		b = appendRecord(b, r.Index, r.Term, r.Data)
	}
	path := filepath.Join(dir, segmentName(base))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustCorrupt asserts err is a *CorruptError and returns it.
func mustCorrupt(t *testing.T, err error) *CorruptError {
	t.Helper()
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *CorruptError", err)
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("errors.Is(%v, ErrCorrupt) = false", err)
	}
	return ce
}

// String formats a location for failure messages.
func (l location) String() string {
	return fmt.Sprintf("%s@%d(index %d)", filepath.Base(l.path), l.off, l.index)
}

// crc32c is the checksum the format uses.
func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
