package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Writer appends records to a journal directory. Its methods are safe for
// concurrent use, but the journal is meant to have one appending goroutine
// (the FSM's apply loop); any number of Readers may read the directory at
// the same time. Only one Writer may have a directory open.
type Writer struct {
	mu   sync.Mutex
	dir  string
	opts Options

	active        *os.File // nil until the first record of a new journal
	activeSeg     segmentFile
	activeSize    int64
	activeRecords int64

	closed      []closedSegment // older segments, oldest first
	closedBytes int64

	lastIndex uint64
	buf       []byte // encoding buffer, reused
	recovery  Recovery
	err       error // sticky failure that left the journal in an unknown state
	isClosed  bool
}

// closedSegment is a segment before the active one.
type closedSegment struct {
	segmentFile
	size    int64
	modTime time.Time
}

// Open opens the journal in dir for appending, creating dir if needed. It
// cuts off a torn tail left by a crash in the last segment and applies the
// retention options. Damage earlier in the journal is left alone for a
// Reader to report; Recovery says what Open found.
func Open(dir string, opts Options) (*Writer, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("journal: create dir: %w", err)
	}
	w := &Writer{dir: dir, opts: opts}
	if err := w.recover(); err != nil {
		_ = w.closeActive()
		return nil, err
	}
	if _, err := w.pruneLocked(time.Now()); err != nil {
		_ = w.closeActive()
		return nil, err
	}
	return w, nil
}

// Recovery reports what Open found and repaired.
func (w *Writer) Recovery() Recovery {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.recovery
}

// Append adds a record for the Raft entry at index. Indexes must increase
// but may skip values (entries that are not commands are not journaled).
// An index at or below LastIndex is ignored and Append returns nil: after a
// restart Raft re-applies entries the journal already holds, and the journal
// keeps the first copy. The record reaches the operating system before
// Append returns; it is durable once Sync returns (or at once with
// Options.SyncEvery). An error wrapping ErrRetention means the record was
// appended but removing old segments failed.
func (w *Writer) Append(index, term uint64, data []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	if index <= w.lastIndex {
		return nil
	}
	if len(data) > MaxRecordBytes {
		return fmt.Errorf("%w: index %d has %d bytes, limit %d", ErrRecordTooLarge, index, len(data), MaxRecordBytes)
	}
	size := recordSize(len(data))
	rotate := w.active == nil ||
		(w.activeRecords > 0 && w.activeSize+size > w.opts.SegmentBytes) ||
		(w.activeRecords == 0 && index < w.activeSeg.base)
	if rotate {
		if err := w.rotate(index); err != nil {
			return err
		}
	}
	w.buf = appendRecord(w.buf[:0], index, term, data)
	if _, err := w.active.WriteAt(w.buf, w.activeSize); err != nil {
		// Take back a partial write so the segment stays well formed.
		if terr := w.active.Truncate(w.activeSize); terr != nil {
			w.err = fmt.Errorf("journal: append %d failed (%v) and could not be undone: %w", index, err, terr)
			return w.err
		}
		return fmt.Errorf("journal: append %d: %w", index, err)
	}
	w.activeSize += size
	w.activeRecords++
	w.lastIndex = index
	if w.opts.SyncEvery {
		if err := w.syncLocked(); err != nil {
			return err
		}
	}
	if rotate && len(w.closed) > 0 {
		// Only now: pruning before the new segment holds a record could
		// leave a crash with no segment that knows the last index.
		if _, err := w.pruneLocked(time.Now()); err != nil {
			return fmt.Errorf("%w after appending %d: %w", ErrRetention, index, err)
		}
	}
	return nil
}

// rotate closes the active segment and starts one for index. An active
// segment without records is replaced instead.
func (w *Writer) rotate(index uint64) error {
	if w.active != nil {
		f := w.active
		w.active = nil
		if w.activeRecords == 0 {
			err := f.Close()
			if err == nil {
				err = os.Remove(w.activeSeg.path)
			}
			if err != nil {
				w.err = fmt.Errorf("journal: replace empty segment %s: %w", w.activeSeg.path, err)
				return w.err
			}
		} else {
			err := f.Sync()
			if err == nil {
				err = f.Close()
			}
			if err != nil {
				_ = f.Close()
				w.err = fmt.Errorf("journal: close segment %s: %w", w.activeSeg.path, err)
				return w.err
			}
			w.closed = append(w.closed, closedSegment{segmentFile: w.activeSeg, size: w.activeSize, modTime: time.Now()})
			w.closedBytes += w.activeSize
		}
		w.activeSize, w.activeRecords = 0, 0
	}
	seg := segmentFile{base: index, path: filepath.Join(w.dir, segmentName(index))}
	f, err := os.OpenFile(seg.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("journal: create segment: %w", err)
	}
	hdr := appendSegmentHeader(nil, w.lastIndex)
	if _, err := f.WriteAt(hdr, 0); err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = syncDir(w.dir)
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(seg.path) // Open would remove it anyway: it holds no record
		return fmt.Errorf("journal: start segment %s: %w", seg.path, err)
	}
	w.active, w.activeSeg, w.activeSize = f, seg, headerSize
	return nil
}

// Sync makes every appended record durable.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	return w.syncLocked()
}

// syncLocked fsyncs the active segment. A failed fsync is sticky: after
// one, the kernel may have dropped the dirty pages, so nothing later can be
// trusted to be durable.
func (w *Writer) syncLocked() error {
	if w.active == nil {
		return nil
	}
	if err := w.active.Sync(); err != nil {
		w.err = fmt.Errorf("journal: sync %s: %w", w.activeSeg.path, err)
		return w.err
	}
	return nil
}

// LastIndex returns the index of the last record in the journal, 0 if none.
func (w *Writer) LastIndex() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastIndex
}

// SizeBytes returns the total size of the journal's segment files.
func (w *Writer) SizeBytes() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closedBytes + w.activeSize
}

// Dir returns the journal directory.
func (w *Writer) Dir() string { return w.dir }

// Close syncs and closes the journal. Later calls return nil; other methods
// return ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.isClosed {
		return nil
	}
	w.isClosed = true
	var err error
	if w.err == nil {
		err = w.syncLocked()
	}
	if cerr := w.closeActive(); err == nil {
		err = cerr
	}
	return err
}

// closeActive closes the active segment file, if any.
func (w *Writer) closeActive() error {
	if w.active == nil {
		return nil
	}
	err := w.active.Close()
	w.active = nil
	if err != nil {
		return fmt.Errorf("journal: close %s: %w", w.activeSeg.path, err)
	}
	return nil
}

// usable returns the error that stops the writer, if any.
func (w *Writer) usable() error {
	switch {
	case w.isClosed:
		return ErrClosed
	case w.err != nil:
		return w.err
	}
	return nil
}
