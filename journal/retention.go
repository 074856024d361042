package journal

import (
	"fmt"
	"os"
	"time"
)

// Prune applies Options.RetainBytes and Options.RetainAge now and returns
// the paths of the segments it removed. Open and every segment rotation
// prune too; a node that rarely rotates can call Prune periodically so that
// RetainAge is honoured. Only whole segments before the active one are ever
// removed, oldest first. Readers then see the journal start later
// (Reader.PrunedThrough), and `tekstore rebuild` can no longer start from
// nothing.
func (w *Writer) Prune() ([]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return nil, err
	}
	return w.pruneLocked(time.Now())
}

// pruneLocked removes the oldest closed segments that the retention options
// no longer keep.
func (w *Writer) pruneLocked(now time.Time) ([]string, error) {
	var removed []string
	for len(w.closed) > 0 && w.expired(w.closed[0], now) {
		old := w.closed[0]
		if err := os.Remove(old.path); err != nil && !os.IsNotExist(err) {
			return removed, fmt.Errorf("journal: remove old segment: %w", err)
		}
		w.closed = w.closed[1:]
		w.closedBytes -= old.size
		removed = append(removed, old.path)
	}
	if len(removed) > 0 {
		if err := syncDir(w.dir); err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// expired reports whether the retention options drop the oldest closed
// segment seg.
func (w *Writer) expired(seg closedSegment, now time.Time) bool {
	if w.opts.RetainBytes > 0 && w.closedBytes+w.activeSize > w.opts.RetainBytes {
		return true
	}
	return w.opts.RetainAge > 0 && now.Sub(seg.modTime) > w.opts.RetainAge
}
