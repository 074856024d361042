package journal

import (
	"errors"
	"os"
	"slices"
	"testing"
)

// corruption is a way to damage the record at loc.
type corruption struct {
	name  string
	off   func(loc location) int64 // byte to damage
	mask  byte
	cause error
	index func(loc location) uint64 // CorruptError.Index expected
}

var corruptions = []corruption{
	{
		name: "payload byte", off: func(l location) int64 { return l.off + recordHeaderSize + 10 }, mask: 0x01,
		cause: ErrChecksum, index: func(l location) uint64 { return l.index },
	},
	{
		name: "checksum byte", off: func(l location) int64 { return l.off + l.size - 1 }, mask: 0x80,
		cause: ErrChecksum, index: func(l location) uint64 { return l.index },
	},
	{
		name: "length out of range", off: func(l location) int64 { return l.off + recordHeaderSize - 1 }, mask: 0xff,
		cause: ErrBadLength, index: func(l location) uint64 { return l.index },
	},
	{
		name: "index byte", off: func(l location) int64 { return l.off }, mask: 0x01,
		cause: ErrChecksum, index: func(l location) uint64 { return l.index ^ 1 },
	},
}

func TestCorruptRecordReported(t *testing.T) {
	opts := Options{SegmentBytes: 4 << 10}
	es := entries(1, 80, 300)
	for _, c := range corruptions {
		for _, where := range []string{"middle segment", "last segment"} {
			t.Run(c.name+" in "+where, func(t *testing.T) {
				dir := t.TempDir()
				writeJournal(t, dir, opts, es)
				locs := layout(t, dir)
				paths := segmentPaths(t, dir)
				seg := paths[1]
				if where == "last segment" {
					seg = paths[len(paths)-1]
				}
				var inSeg []location
				for _, l := range locs {
					if l.path == seg {
						inSeg = append(inSeg, l)
					}
				}
				if len(inSeg) < 3 {
					t.Fatalf("segment %s holds %d records, want 3 or more", seg, len(inSeg))
				}
				bad := inSeg[1]
				prevIndex := inSeg[0].index
				xorByte(t, bad.path, c.off(bad), c.mask)

				got, r, err := readAll(t, dir, ReadOptions{})
				ce := mustCorrupt(t, err)
				want := CorruptError{Segment: bad.path, Offset: bad.off, Index: c.index(bad), LastGood: prevIndex, Err: c.cause}
				if *ce != want {
					t.Fatalf("CorruptError = %+v, want %+v", *ce, want)
				}
				if !errors.Is(err, c.cause) {
					t.Fatalf("errors.Is(err, %v) = false", c.cause)
				}
				var upTo []entry
				for _, e := range es {
					if e.index < bad.index {
						upTo = append(upTo, e)
					}
				}
				checkRecords(t, got, upTo)
				if _, again := r.Next(); again != err {
					t.Fatalf("Next after corruption = %v, want the same error", again)
				}
				st, verr := Verify(dir)
				if ce2 := mustCorrupt(t, verr); *ce2 != want || st.Records != int64(len(upTo)) {
					t.Fatalf("Verify = %+v, %v", st, verr)
				}

				// An operator can skip the damaged record knowingly.
				got, r, err = readAll(t, dir, ReadOptions{SkipCorrupt: true})
				if err != nil {
					t.Fatalf("SkipCorrupt read: %v", err)
				}
				checkRecords(t, got, without(es, bad.index))
				wantSkip := []Skip{{Segment: bad.path, Offset: bad.off, Bytes: bad.size, AfterIndex: prevIndex,
					ResumeIndex: inSeg[2].index, Err: c.cause}}
				if !slices.Equal(r.Skipped(), wantSkip) || r.SkippedBytes() != bad.size {
					t.Fatalf("Skipped = %+v (%d bytes), want %+v", r.Skipped(), r.SkippedBytes(), wantSkip)
				}
			})
		}
	}
}

func TestOpenLeavesCorruptionInLastSegment(t *testing.T) {
	opts := Options{SegmentBytes: 4 << 10}
	dir := t.TempDir()
	es := entries(1, 30, 300)
	writeJournal(t, dir, opts, es)
	locs := layout(t, dir)
	bad := locs[len(locs)-3] // two intact records follow it
	xorByte(t, bad.path, bad.off+recordHeaderSize, 0x10)
	sizeBefore := fileSize(t, bad.path)

	w, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	rec := w.Recovery()
	if rec.TruncatedBytes != 0 || len(rec.Damaged) != 1 || rec.Damaged[0].Offset != bad.off || !errors.Is(rec.Damaged[0].Err, ErrChecksum) {
		t.Fatalf("Recovery = %+v, want one damaged region at %d", rec, bad.off)
	}
	if got := fileSize(t, bad.path); got != sizeBefore {
		t.Fatalf("Open changed the damaged segment: %d -> %d bytes", sizeBefore, got)
	}
	if got, want := w.LastIndex(), es[len(es)-1].index; got != want {
		t.Fatalf("LastIndex = %d, want %d", got, want)
	}
	more := entries(es[len(es)-1].index+1, 20, 300)
	for _, e := range more {
		if err := w.Append(e.index, e.term, payload(e.index, e.size)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, err = readAll(t, dir, ReadOptions{})
	if ce := mustCorrupt(t, err); ce.Offset != bad.off || ce.Segment != bad.path {
		t.Fatalf("CorruptError %+v, want %s at %d", ce, bad.path, bad.off)
	}
	got, _, err := readAll(t, dir, ReadOptions{SkipCorrupt: true})
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, got, without(append(es, more...), bad.index))
}

func TestTruncatedMiddleSegment(t *testing.T) {
	dir := t.TempDir()
	es := entries(1, 80, 300)
	writeJournal(t, dir, Options{SegmentBytes: 4 << 10}, es)
	locs := layout(t, dir)
	paths := segmentPaths(t, dir)
	var inSeg []location
	for _, l := range locs {
		if l.path == paths[1] {
			inSeg = append(inSeg, l)
		}
	}
	cut := inSeg[2]
	truncateFile(t, cut.path, cut.off+50)

	_, _, err := readAll(t, dir, ReadOptions{})
	ce := mustCorrupt(t, err)
	if ce.Segment != cut.path || ce.Offset != cut.off || !errors.Is(err, ErrTruncated) {
		t.Fatalf("CorruptError = %+v, want ErrTruncated in %s at %d", ce, cut.path, cut.off)
	}

	got, r, err := readAll(t, dir, ReadOptions{SkipCorrupt: true})
	if err != nil {
		t.Fatal(err)
	}
	var lost []uint64
	for _, l := range inSeg[2:] {
		lost = append(lost, l.index)
	}
	checkRecords(t, got, without(es, lost...))
	var resume uint64
	for _, l := range locs {
		if l.path == paths[2] {
			resume = l.index
			break
		}
	}
	want := []Skip{{Segment: cut.path, Offset: cut.off, Bytes: 50, AfterIndex: inSeg[1].index, ResumeIndex: resume, Err: ErrTruncated}}
	if skips := r.Skipped(); !slices.Equal(skips, want) {
		t.Fatalf("Skipped = %+v, want %+v", skips, want)
	}
}

func TestIndexOrderViolation(t *testing.T) {
	dir := t.TempDir()
	recs := []Record{
		{Index: 1, Term: 1, Data: []byte("one")},
		{Index: 2, Term: 1, Data: []byte("two")},
		{Index: 2, Term: 1, Data: []byte("two again")},
		{Index: 3, Term: 1, Data: []byte("three")},
	}
	path := writeSegment(t, dir, 1, 0, recs...)
	_, _, err := readAll(t, dir, ReadOptions{})
	ce := mustCorrupt(t, err)
	off := int64(headerSize) + recordSize(3) + recordSize(3)
	want := CorruptError{Segment: path, Offset: off, Index: 2, LastGood: 2, Err: ErrIndexOrder}
	if *ce != want {
		t.Fatalf("CorruptError = %+v, want %+v", *ce, want)
	}
	got, r, err := readAll(t, dir, ReadOptions{SkipCorrupt: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[2].Index != 3 || r.SkippedBytes() != recordSize(len("two again")) {
		t.Fatalf("read %+v, skipped %d bytes", got, r.SkippedBytes())
	}
}

func TestMissingSegment(t *testing.T) {
	dir := t.TempDir()
	es := entries(1, 80, 300)
	writeJournal(t, dir, Options{SegmentBytes: 4 << 10}, es)
	locs := layout(t, dir)
	paths := segmentPaths(t, dir)
	if err := os.Remove(paths[1]); err != nil {
		t.Fatal(err)
	}
	var lost []uint64
	var lastOfFirst, resume uint64
	for _, l := range locs {
		switch {
		case l.path == paths[0]:
			lastOfFirst = l.index
		case l.path == paths[1]:
			lost = append(lost, l.index)
		case l.path == paths[2] && resume == 0:
			resume = l.index
		}
	}
	_, _, err := readAll(t, dir, ReadOptions{})
	ce := mustCorrupt(t, err)
	if ce.Segment != paths[2] || ce.LastGood != lastOfFirst || ce.Index != lost[len(lost)-1] || !errors.Is(err, ErrSegmentGap) {
		t.Fatalf("CorruptError = %+v, want a gap before %s after %d", ce, paths[2], lastOfFirst)
	}
	got, r, err := readAll(t, dir, ReadOptions{SkipCorrupt: true})
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, got, without(es, lost...))
	want := []Skip{{Segment: paths[2], AfterIndex: lastOfFirst, ResumeIndex: resume, Err: ErrSegmentGap}}
	if s := r.Skipped(); !slices.Equal(s, want) {
		t.Fatalf("Skipped = %+v, want %+v", s, want)
	}
}

func TestDamagedSegmentHeader(t *testing.T) {
	opts := Options{SegmentBytes: 4 << 10}
	dir := t.TempDir()
	es := entries(1, 80, 300)
	writeJournal(t, dir, opts, es)
	paths := segmentPaths(t, dir)

	xorByte(t, paths[1], 3, 0x20) // in the magic
	_, _, err := readAll(t, dir, ReadOptions{})
	if ce := mustCorrupt(t, err); ce.Segment != paths[1] || ce.Offset != 0 || !errors.Is(err, ErrBadHeader) {
		t.Fatalf("CorruptError = %+v, want ErrBadHeader at the start of %s", ce, paths[1])
	}
	got, r, err := readAll(t, dir, ReadOptions{SkipCorrupt: true})
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, got, es)
	if r.SkippedBytes() != headerSize {
		t.Fatalf("SkippedBytes = %d, want the header", r.SkippedBytes())
	}

	// Open refuses to append to a last segment whose header is damaged but
	// whose records are intact.
	xorByte(t, paths[len(paths)-1], 20, 0x01)
	if _, err := Open(dir, opts); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with a damaged last header: %v, want ErrCorrupt", err)
	}
}

func TestUnsupportedVersion(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir, Options{}, entries(1, 3, 10))
	path := segmentPaths(t, dir)[0]
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le.PutUint32(b[8:], FormatVersion+1)
	le.PutUint32(b[headerCRCOffset:], crc32c(b[:headerCRCOffset]))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = readAll(t, dir, ReadOptions{SkipCorrupt: true})
	if !errors.Is(err, ErrUnsupportedVersion) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("read: %v, want ErrUnsupportedVersion", err)
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrUnsupportedVersion) {
		t.Fatalf("Open: %v, want ErrUnsupportedVersion", err)
	}
}
