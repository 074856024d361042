package journal

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// scanStatus is the outcome of reading one item from a segment.
type scanStatus int

const (
	// scanOK: an intact header or record was read.
	scanOK scanStatus = iota
	// scanEnd: no bytes are left in the file.
	scanEnd
	// scanDamaged: bytes are left but they are not an intact item (too few
	// for one, bad length, bad checksum, index out of order, bad header);
	// the error is the cause, one of the CorruptError.Err sentinels.
	scanDamaged
	// scanFailed: reading failed; the error says why.
	scanFailed
)

// rawRecord is a record as found in a segment; data aliases the scanner's buffer.
type rawRecord struct {
	index uint64
	term  uint64
	data  []byte
}

// segScanner reads one segment file through a large buffer: one read
// syscall fills many records, and records are returned in place.
type segScanner struct {
	f    *os.File
	path string
	base uint64 // from the file name
	prev uint64 // from the header, once read

	buf  []byte
	r, w int   // buf[r:w] holds unread file bytes
	off  int64 // file offset of buf[r]
}

// openScanner opens the segment for reading from its start, reading
// through buf.
func openScanner(seg segmentFile, buf []byte) (*segScanner, error) {
	f, err := os.Open(seg.path)
	if err != nil {
		return nil, fmt.Errorf("journal: open segment: %w", err)
	}
	return &segScanner{f: f, path: seg.path, base: seg.base, buf: buf}, nil
}

// close closes the file.
func (s *segScanner) close() error {
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("journal: close segment %s: %w", s.path, err)
	}
	return nil
}

// size returns the file's current size.
func (s *segScanner) size() (int64, error) {
	fi, err := s.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("journal: stat segment: %w", err)
	}
	return fi.Size(), nil
}

// fill makes at least n unread bytes available in buf[r:], reading as much
// as fits per syscall. It reports false when the file ends first; a later
// call reads on, so a reader can follow a growing file.
func (s *segScanner) fill(n int) (bool, error) {
	if s.w-s.r >= n {
		return true, nil
	}
	if n > len(s.buf) {
		grown := make([]byte, n)
		s.w = copy(grown, s.buf[s.r:s.w])
		s.buf, s.r = grown, 0
	} else if s.r > 0 {
		s.w = copy(s.buf, s.buf[s.r:s.w])
		s.r = 0
	}
	for s.w-s.r < n {
		m, err := s.f.Read(s.buf[s.w:])
		s.w += m
		if errors.Is(err, io.EOF) || (err == nil && m == 0) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("journal: read segment %s: %w", s.path, err)
		}
	}
	return true, nil
}

// advance consumes n buffered bytes.
func (s *segScanner) advance(n int) {
	s.r += n
	s.off += int64(n)
}

// seek drops the buffer and repositions at file offset off.
func (s *segScanner) seek(off int64) error {
	if _, err := s.f.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("journal: seek segment %s: %w", s.path, err)
	}
	s.r, s.w, s.off = 0, 0, off
	return nil
}

// readHeader reads and checks the segment header at offset 0 and sets prev.
// When the header is short or damaged it returns scanDamaged (ErrTruncated
// or ErrBadHeader) without consuming anything; an intact header of an
// unknown format is scanFailed.
func (s *segScanner) readHeader() (scanStatus, error) {
	ok, err := s.fill(headerSize)
	if err != nil {
		return scanFailed, err
	}
	if !ok {
		return scanDamaged, ErrTruncated
	}
	prev, err := parseSegmentHeader(s.buf[s.r : s.r+headerSize])
	switch {
	case errors.Is(err, ErrBadHeader):
		return scanDamaged, err
	case err != nil:
		return scanFailed, fmt.Errorf("segment %s: %w", s.path, err)
	}
	s.prev = prev
	s.advance(headerSize)
	return scanOK, nil
}

// next reads the record at the current position. An intact record must have
// an index above lastGood and not below the segment's base. On scanDamaged
// nothing is consumed; the error is the cause and the record carries
// whatever index could be read.
func (s *segScanner) next(lastGood uint64) (rawRecord, scanStatus, error) {
	ok, err := s.fill(recordHeaderSize)
	if err != nil {
		return rawRecord{}, scanFailed, err
	}
	if !ok {
		if s.w == s.r {
			return rawRecord{}, scanEnd, nil
		}
		return rawRecord{}, scanDamaged, ErrTruncated
	}
	h := s.buf[s.r:s.w]
	rec := rawRecord{index: le.Uint64(h), term: le.Uint64(h[8:])}
	n := le.Uint32(h[16:])
	if n > MaxRecordBytes {
		return rec, scanDamaged, ErrBadLength
	}
	size := recordOverhead + int(n)
	if ok, err = s.fill(size); err != nil {
		return rec, scanFailed, err
	} else if !ok {
		return rec, scanDamaged, ErrTruncated
	}
	body := s.buf[s.r : s.r+size-4]
	if crc32.Checksum(body, castagnoli) != le.Uint32(s.buf[s.r+size-4:]) {
		return rec, scanDamaged, ErrChecksum
	}
	if rec.index <= lastGood || rec.index < s.base {
		return rec, scanDamaged, ErrIndexOrder
	}
	rec.data = body[recordHeaderSize:]
	s.advance(size)
	return rec, scanOK, nil
}

// resync steps forward from one byte past the current position to the next
// intact record that next would accept, leaving the scanner on it and
// returning its index. It reports false when no such record exists before
// the end of the file; the position is then unspecified (see seek).
func (s *segScanner) resync(lastGood uint64) (uint64, bool, error) {
	size, err := s.size()
	if err != nil {
		return 0, false, err
	}
	if ok, err := s.fill(1); err != nil || !ok {
		return 0, false, err
	}
	s.advance(1)
	for {
		ok, err := s.fill(recordHeaderSize)
		if err != nil || !ok {
			return 0, false, err
		}
		h := s.buf[s.r:s.w]
		index, n := le.Uint64(h), le.Uint32(h[16:])
		if n <= MaxRecordBytes && index > lastGood && index >= s.base &&
			s.off+recordSize(int(n)) <= size {
			rsize := recordOverhead + int(n)
			ok, err := s.fill(rsize)
			if err != nil {
				return 0, false, err
			}
			if ok && crc32.Checksum(s.buf[s.r:s.r+rsize-4], castagnoli) == le.Uint32(s.buf[s.r+rsize-4:]) {
				return index, true, nil
			}
		}
		s.advance(1)
	}
}
