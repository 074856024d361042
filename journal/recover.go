package journal

import (
	"fmt"
	"os"
)

// recoverBufferBytes is the read buffer used when Open scans the last segment.
const recoverBufferBytes = DefaultReadBufferBytes

// Recovery reports what Open found and did in the last segment.
type Recovery struct {
	// TruncatedBytes is the size of the torn tail Open cut off.
	TruncatedBytes int64
	// RemovedSegments lists segment files Open deleted because they held no
	// intact record: a crash came right after they were created.
	RemovedSegments []string
	// Damaged lists damage found in the last segment with intact records
	// after it. Open leaves it in place (a Reader reports it) and appends
	// after the last intact record.
	Damaged []Skip
}

// lastScan is the state of a last segment after scanning it to its end.
type lastScan struct {
	empty     bool   // no intact header and no intact record: a torn creation
	records   int64  // intact records
	lastIndex uint64 // index of the last intact record, else the header's prev
	end       int64  // offset just past the last intact record
	size      int64  // file size
	damaged   []Skip // damage followed by intact records
}

// scanLast reads the last segment to find where its intact records end.
// Damage followed by no intact record is the torn tail (it lies past end);
// damage followed by intact records is reported in damaged. A damaged header
// with intact records after it is a *CorruptError: Open cannot safely append
// to such a segment.
func scanLast(seg segmentFile) (res lastScan, err error) {
	s, err := openScanner(seg, make([]byte, recoverBufferBytes))
	if err != nil {
		return res, err
	}
	defer func() {
		if cerr := s.close(); err == nil {
			err = cerr
		}
	}()
	if res.size, err = s.size(); err != nil {
		return res, err
	}
	st, cause := s.readHeader()
	switch st {
	case scanFailed:
		return res, cause
	case scanDamaged:
		index, found, err := s.resync(0)
		if err != nil {
			return res, err
		}
		if !found {
			res.empty = true
			return res, nil
		}
		return res, &CorruptError{Segment: seg.path, Index: index, Err: cause}
	}
	res.lastIndex, res.end = s.prev, s.off
	for {
		rec, st, cause := s.next(res.lastIndex)
		switch st {
		case scanOK:
			res.records++
			res.lastIndex, res.end = rec.index, s.off
			continue
		case scanEnd:
			return res, nil
		case scanFailed:
			return res, cause
		}
		origin := s.off
		index, found, err := s.resync(res.lastIndex)
		if err != nil {
			return res, err
		}
		if !found {
			return res, nil // torn tail
		}
		res.damaged = append(res.damaged, Skip{
			Segment: seg.path, Offset: origin, Bytes: s.off - origin,
			AfterIndex: res.lastIndex, ResumeIndex: index, Err: cause,
		})
	}
}

// recover brings the directory to a state Append can continue from: it
// removes empty last segments, truncates the torn tail of the last segment
// and opens it for appending.
func (w *Writer) recover() error {
	segs, err := listSegments(w.dir)
	if err != nil {
		return err
	}
	for len(segs) > 0 {
		last := segs[len(segs)-1]
		res, err := scanLast(last)
		if err != nil {
			return fmt.Errorf("journal: recover %s: %w", last.path, err)
		}
		if res.empty || (res.records == 0 && len(segs) > 1) {
			if err := os.Remove(last.path); err != nil {
				return fmt.Errorf("journal: remove empty segment: %w", err)
			}
			if err := syncDir(w.dir); err != nil {
				return err
			}
			w.recovery.RemovedSegments = append(w.recovery.RemovedSegments, last.path)
			segs = segs[:len(segs)-1]
			continue
		}
		if err := w.openActive(last, res); err != nil {
			return err
		}
		return w.loadClosed(segs[:len(segs)-1])
	}
	return nil
}

// openActive makes the scanned last segment the active one, cutting off its
// torn tail.
func (w *Writer) openActive(seg segmentFile, res lastScan) error {
	f, err := os.OpenFile(seg.path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("journal: open last segment: %w", err)
	}
	if res.end < res.size {
		if err := f.Truncate(res.end); err != nil {
			_ = f.Close()
			return fmt.Errorf("journal: truncate torn tail of %s: %w", seg.path, err)
		}
		if err := f.Sync(); err != nil {
			_ = f.Close()
			return fmt.Errorf("journal: sync %s: %w", seg.path, err)
		}
		w.recovery.TruncatedBytes = res.size - res.end
	}
	w.recovery.Damaged = res.damaged
	w.active = f
	w.activeSeg = seg
	w.activeSize = res.end
	w.activeRecords = res.records
	w.lastIndex = res.lastIndex
	return nil
}

// loadClosed records the sizes and ages of the segments before the active one.
func (w *Writer) loadClosed(segs []segmentFile) error {
	for _, seg := range segs {
		fi, err := os.Stat(seg.path)
		if err != nil {
			return fmt.Errorf("journal: stat segment: %w", err)
		}
		w.closed = append(w.closed, closedSegment{segmentFile: seg, size: fi.Size(), modTime: fi.ModTime()})
		w.closedBytes += fi.Size()
	}
	return nil
}
