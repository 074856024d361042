package journal

import (
	"errors"
	"fmt"
)

// ErrCorrupt matches (errors.Is) every *CorruptError: the journal holds
// damaged bytes where intact records were expected.
var ErrCorrupt = errors.New("journal: corrupt")

// Causes carried in CorruptError.Err.
var (
	// ErrChecksum means a record's CRC-32C does not match its contents.
	ErrChecksum = errors.New("record checksum mismatch")
	// ErrBadLength means a record's length field exceeds MaxRecordBytes.
	ErrBadLength = errors.New("record length out of range")
	// ErrTruncated means a segment ends inside a record or its header.
	ErrTruncated = errors.New("segment ends inside a record")
	// ErrIndexOrder means an intact record's index does not increase.
	ErrIndexOrder = errors.New("record index not increasing")
	// ErrBadHeader means a segment header is damaged.
	ErrBadHeader = errors.New("bad segment header")
	// ErrSegmentGap means a segment does not continue where the previous one
	// ended: a segment is missing, for example removed by retention while a
	// reader was behind.
	ErrSegmentGap = errors.New("segment does not follow the previous one")
)

// Errors that are not corruption.
var (
	// ErrUnsupportedVersion means a segment was written in a format this code
	// does not read.
	ErrUnsupportedVersion = errors.New("journal: unsupported segment format")
	// ErrClosed is returned by a Writer or Reader after Close.
	ErrClosed = errors.New("journal: closed")
	// ErrRecordTooLarge is returned by Append for data over MaxRecordBytes.
	ErrRecordTooLarge = errors.New("journal: record too large")
	// ErrRetention wraps a failure to remove old segments after a record was
	// appended successfully; the record itself is in the journal.
	ErrRetention = errors.New("journal: retention failed")
)

// CorruptError locates damage in a journal. Match it with errors.As, or
// with errors.Is(err, ErrCorrupt); errors.Is also matches its cause.
type CorruptError struct {
	// Segment is the path of the damaged segment file.
	Segment string
	// Offset is the byte offset in Segment where the damage starts.
	Offset int64
	// Index is the index field read from the damaged record (for
	// ErrSegmentGap, the segment's prev field); 0 if it could not be read.
	// It may be garbage when the damage is in the index itself.
	Index uint64
	// LastGood is the index of the last intact record before the damage.
	LastGood uint64
	// Err is the cause: ErrChecksum, ErrBadLength, ErrTruncated,
	// ErrIndexOrder, ErrBadHeader or ErrSegmentGap.
	Err error
}

// Error describes the damage and where it is.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("journal: corrupt segment %s at offset %d (record index %d, last good index %d): %v",
		e.Segment, e.Offset, e.Index, e.LastGood, e.Err)
}

// Unwrap returns the cause.
func (e *CorruptError) Unwrap() error { return e.Err }

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// Skip describes one damaged region that was stepped over: by a Reader with
// ReadOptions.SkipCorrupt, or left in place by Open (Recovery.Damaged).
type Skip struct {
	// Segment is the path of the segment file holding the region.
	Segment string
	// Offset is where the region starts in Segment.
	Offset int64
	// Bytes is the length of the region.
	Bytes int64
	// AfterIndex is the index of the last intact record before the region.
	AfterIndex uint64
	// ResumeIndex is the index of the first intact record after the region,
	// 0 if none was read. Record boundaries inside the region are lost, so
	// the number of records lost is not known; it is at most
	// ResumeIndex-AfterIndex-1, since indexes increase (with gaps).
	ResumeIndex uint64
	// Err is the cause found at Offset, as in CorruptError.Err.
	Err error
}
