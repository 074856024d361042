package journal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// maxOpenAttempts bounds how often the reader re-lists the directory when
// retention removes the segment it was about to open.
const maxOpenAttempts = 64

// Record is one journaled Raft command.
type Record struct {
	// Index is the Raft log index of the entry.
	Index uint64
	// Term is the Raft term of the entry.
	Term uint64
	// Data is the command as it was applied.
	Data []byte
}

// Reader iterates over a journal's records in index order. It reads the
// directory directly, so it works on a stopped node's journal as well as
// next to a live Writer: at the end it returns io.EOF, and a later Next
// picks up records appended since. A Reader is not safe for concurrent use.
type Reader struct {
	dir  string
	opts ReadOptions
	buf  []byte // read buffer, handed from segment to segment

	seg        *segScanner // current segment; nil between segments
	base       uint64      // base index of the current or last segment
	haveBase   bool        // a segment has been opened
	headerRead bool        // seg's header has been read
	final      bool        // a newer segment exists, so seg is complete
	recheckAt  int64       // offset of damage being read a second time, -1 if none

	lastGood         uint64 // index of the last intact record
	sawHeader        bool   // a segment start has been handled
	prunedThrough    uint64
	damagedSinceGood bool
	skips            []Skip
	pending          int // skip awaiting its ResumeIndex, -1 if none
	tornTail         int64
	err              error // sticky
	closed           bool
}

// NewReader returns a Reader over the journal in dir.
func NewReader(dir string, opts ReadOptions) (*Reader, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("journal: open reader: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("journal: open reader: %s is not a directory", dir)
	}
	return &Reader{
		dir: dir, opts: opts, buf: make([]byte, opts.bufferBytes()),
		recheckAt: -1, pending: -1,
	}, nil
}

// Next returns the next record. It returns io.EOF at the end of the
// journal; a torn tail (TornTail) also ends it, since on a live journal it
// is a record still being written. Damage returns a *CorruptError, and Next
// keeps returning it, unless ReadOptions.SkipCorrupt is set.
func (r *Reader) Next() (Record, error) {
	if r.closed {
		return Record{}, ErrClosed
	}
	if r.err != nil {
		return Record{}, r.err
	}
	for {
		if r.seg == nil {
			ok, err := r.openNext()
			if err != nil {
				return Record{}, r.fail(err)
			}
			if !ok {
				return Record{}, io.EOF
			}
		}
		if !r.headerRead {
			st, cause := r.seg.readHeader()
			switch st {
			case scanOK:
				r.headerRead = true
				if err := r.segmentStart(r.seg.prev); err != nil {
					return Record{}, err
				}
			case scanDamaged:
				if err := r.damaged(0, cause); err != nil {
					return Record{}, err
				}
			default:
				return Record{}, r.fail(cause)
			}
			continue
		}
		rec, st, cause := r.seg.next(r.lastGood)
		switch st {
		case scanOK:
			r.intact(rec.index)
			if rec.index < r.opts.FromIndex {
				continue
			}
			return r.record(rec), nil
		case scanEnd:
			if err := r.segmentEnd(); err != nil {
				return Record{}, err
			}
		case scanDamaged:
			if err := r.damaged(rec.index, cause); err != nil {
				return Record{}, err
			}
		default:
			return Record{}, r.fail(cause)
		}
	}
}

// record turns a raw record into a Record, copying its data unless
// ReadOptions.ReuseData is set.
func (r *Reader) record(raw rawRecord) Record {
	data := raw.data
	if !r.opts.ReuseData {
		data = make([]byte, len(raw.data))
		copy(data, raw.data)
	}
	return Record{Index: raw.index, Term: raw.term, Data: data}
}

// intact updates the state after an intact record.
func (r *Reader) intact(index uint64) {
	r.lastGood = index
	r.damagedSinceGood = false
	r.recheckAt = -1
	r.tornTail = 0
	if r.pending >= 0 {
		r.skips[r.pending].ResumeIndex = index
		r.pending = -1
	}
}

// segmentEnd handles the end of the current segment's data: io.EOF if it is
// the last segment, else on to the rest of it (now complete) or the next.
func (r *Reader) segmentEnd() error {
	if !r.final {
		newer, err := r.newerExists()
		if err != nil {
			return r.fail(err)
		}
		if !newer {
			r.tornTail = 0
			return io.EOF
		}
		r.final = true // the writer finished this segment: read what it added
		return nil
	}
	if err := r.closeSegment(); err != nil {
		return r.fail(err)
	}
	return nil
}

// openNext opens the segment after the current one (the first one to read,
// at the start). It reports false if there is none yet.
func (r *Reader) openNext() (bool, error) {
	for attempt := 0; ; attempt++ {
		segs, err := listSegments(r.dir)
		if err != nil {
			return false, err
		}
		seg, ok := r.pick(segs)
		if !ok {
			return false, nil
		}
		s, err := openScanner(seg, r.buf)
		if errors.Is(err, fs.ErrNotExist) && attempt < maxOpenAttempts {
			continue // removed by retention since the listing
		}
		if err != nil {
			return false, err
		}
		r.seg, r.base, r.haveBase = s, seg.base, true
		r.headerRead, r.final, r.recheckAt = false, false, -1
		return true, nil
	}
}

// pick chooses the segment to open from a listing.
func (r *Reader) pick(segs []segmentFile) (segmentFile, bool) {
	if len(segs) == 0 {
		return segmentFile{}, false
	}
	if !r.haveBase {
		i := 0
		for j, s := range segs {
			if r.opts.FromIndex > 0 && s.base <= r.opts.FromIndex {
				i = j
			}
		}
		return segs[i], true
	}
	for _, s := range segs {
		if s.base > r.base {
			return s, true
		}
	}
	return segmentFile{}, false
}

// newerExists reports whether a segment after the current one exists.
func (r *Reader) newerExists() (bool, error) {
	segs, err := listSegments(r.dir)
	if err != nil {
		return false, err
	}
	return len(segs) > 0 && segs[len(segs)-1].base > r.base, nil
}

// closeSegment closes the current segment, keeping its buffer.
func (r *Reader) closeSegment() error {
	err := r.seg.close()
	r.buf, r.seg = r.seg.buf, nil
	return err
}

// fail makes err sticky and returns it.
func (r *Reader) fail(err error) error {
	r.err = err
	return err
}

// Skipped returns the damaged regions stepped over so far (SkipCorrupt).
func (r *Reader) Skipped() []Skip {
	return append([]Skip(nil), r.skips...)
}

// SkippedBytes returns the total size of the regions stepped over so far.
func (r *Reader) SkippedBytes() int64 {
	var n int64
	for _, s := range r.skips {
		n += s.Bytes
	}
	return n
}

// LastIndex returns the index of the last intact record read, or where the
// journal starts if none was read yet.
func (r *Reader) LastIndex() uint64 { return r.lastGood }

// PrunedThrough returns the index of the last record that is no longer in
// the journal because retention removed its segment (the prev field of the
// first segment read); 0 means the journal is complete from its first
// record. It is known once Next has returned a record or io.EOF, and only
// meaningful when ReadOptions.FromIndex is 0. A rebuild from nothing needs
// it to be 0.
func (r *Reader) PrunedThrough() uint64 { return r.prunedThrough }

// TornTail returns the size of the torn tail behind the last io.EOF: bytes
// at the end of the last segment that are not an intact record. On a live
// journal they may be a record being written; after a crash, Open cuts
// them off.
func (r *Reader) TornTail() int64 { return r.tornTail }

// Close releases the open segment file. Later calls to Next return ErrClosed.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.seg == nil {
		return nil
	}
	return r.closeSegment()
}
