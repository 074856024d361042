package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"
)

// pollInterval is how often a test reader looks again after io.EOF.
const pollInterval = time.Millisecond

func TestReadersFollowLiveWriter(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{SegmentBytes: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	es := entries(1, 3000, 200, 17, 650)
	deadline := time.Now().Add(60 * time.Second)

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	wg.Go(func() {
		for i, e := range es {
			if err := w.Append(e.index, e.term, payload(e.index, e.size)); err != nil {
				errs <- fmt.Errorf("Append(%d): %w", e.index, err)
				return
			}
			if i%100 == 99 {
				if err := w.Sync(); err != nil {
					errs <- err
					return
				}
			}
		}
	})
	wg.Go(func() { // a metrics scraper
		for w.LastIndex() < es[len(es)-1].index && time.Now().Before(deadline) {
			_ = w.SizeBytes()
			time.Sleep(pollInterval)
		}
	})
	for _, reuse := range []bool{false, true} {
		wg.Go(func() {
			if err := follow(dir, ReadOptions{ReuseData: reuse}, es, deadline); err != nil {
				errs <- fmt.Errorf("reader (ReuseData %v): %w", reuse, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// follow reads the journal in dir while it is written, until it has seen
// every entry in want, polling after io.EOF until deadline.
func follow(dir string, opts ReadOptions, want []entry, deadline time.Time) error {
	r, err := NewReader(dir, opts)
	if err != nil {
		return err
	}
	defer func() { _ = r.Close() }()
	for i := 0; i < len(want); {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			if time.Now().After(deadline) {
				return fmt.Errorf("read %d of %d records before the deadline", i, len(want))
			}
			time.Sleep(pollInterval)
			continue
		}
		if err != nil {
			return err
		}
		e := want[i]
		if rec.Index != e.index || rec.Term != e.term || !bytes.Equal(rec.Data, payload(e.index, e.size)) {
			return fmt.Errorf("record %d: got index %d, want %d", i, rec.Index, e.index)
		}
		i++
	}
	if rec, err := r.Next(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("after the last record: %+v, %v", rec, err)
	}
	return nil
}
