package journal

import (
	"fmt"
	"time"
)

const (
	// DefaultSegmentBytes is the segment size at which the writer rotates
	// when Options.SegmentBytes is 0.
	DefaultSegmentBytes = 64 << 20
	// DefaultReadBufferBytes is the reader's buffer size when
	// ReadOptions.BufferBytes is 0.
	DefaultReadBufferBytes = 1 << 20
	// minReadBufferBytes keeps tiny buffers from turning into one read per record.
	minReadBufferBytes = 64 << 10
)

// Options configures a Writer. The zero value is valid: 64 MiB segments,
// sync left to the caller, nothing ever removed.
type Options struct {
	// SegmentBytes is the size at which the writer starts a new segment.
	// A record larger than that gets a segment of its own. 0 means
	// DefaultSegmentBytes.
	SegmentBytes int64
	// SyncEvery makes every Append fsync before it returns. When false,
	// appended records reach the operating system at once (they survive a
	// process crash) but are only made durable by Sync, which the caller
	// should call after each applied batch and before an FSM snapshot
	// completes, so that a snapshot never covers unsynced journal records.
	SyncEvery bool
	// RetainBytes, when positive, removes the oldest segments while the
	// journal is larger than this. The active segment is never removed.
	RetainBytes int64
	// RetainAge, when positive, removes segments whose newest record
	// (modification time) is older than this. The active segment is never
	// removed.
	RetainAge time.Duration
}

// withDefaults fills in defaults and rejects invalid values.
func (o Options) withDefaults() (Options, error) {
	if o.SegmentBytes < 0 || o.RetainBytes < 0 || o.RetainAge < 0 {
		return o, fmt.Errorf("journal: negative option: segment bytes %d, retain bytes %d, retain age %v",
			o.SegmentBytes, o.RetainBytes, o.RetainAge)
	}
	if o.SegmentBytes == 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	return o, nil
}

// ReadOptions configures a Reader. The zero value reads everything and
// stops at the first damage.
type ReadOptions struct {
	// SkipCorrupt makes the reader step over damage instead of returning a
	// *CorruptError: it resynchronises at the next intact record and
	// records what it skipped (Reader.Skipped). For operators who know the
	// journal is damaged and accept losing the records in the damage.
	SkipCorrupt bool
	// FromIndex, when positive, starts reading at the first record whose
	// index is >= FromIndex, opening only the segments that can hold it.
	FromIndex uint64
	// ReuseData lets Record.Data alias the reader's buffer: no allocation
	// per record, but Data is only valid until the next call to Next.
	// Without it every Record.Data is a fresh copy the caller may keep.
	ReuseData bool
	// BufferBytes is the read buffer size (0: DefaultReadBufferBytes).
	BufferBytes int
}

// bufferBytes returns the read buffer size to use.
func (o ReadOptions) bufferBytes() int {
	switch {
	case o.BufferBytes == 0:
		return DefaultReadBufferBytes
	case o.BufferBytes < minReadBufferBytes:
		return minReadBufferBytes
	default:
		return o.BufferBytes
	}
}
