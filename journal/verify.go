package journal

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Stats summarises a journal.
type Stats struct {
	// Segments is the number of segment files.
	Segments int
	// FileBytes is the total size of the segment files.
	FileBytes int64
	// Records is the number of intact records.
	Records int64
	// DataBytes is the total size of the records' data.
	DataBytes int64
	// FirstIndex and LastIndex are the indexes of the first and last
	// records, 0 if there are none.
	FirstIndex, LastIndex uint64
	// PrunedThrough is the last index removed by retention, 0 if the
	// journal is complete from its start.
	PrunedThrough uint64
	// TornTailBytes is the size of the torn tail at the end, if any.
	TornTailBytes int64
}

// Verify reads the whole journal in dir and returns its statistics, or the
// first damage as a *CorruptError together with the statistics up to it.
func Verify(dir string) (Stats, error) {
	var st Stats
	segs, err := listSegments(dir)
	if err != nil {
		return st, err
	}
	for _, seg := range segs {
		fi, err := os.Stat(seg.path)
		if err != nil {
			return st, fmt.Errorf("journal: verify: %w", err)
		}
		st.Segments++
		st.FileBytes += fi.Size()
	}
	r, err := NewReader(dir, ReadOptions{ReuseData: true})
	if err != nil {
		return st, err
	}
	defer func() { _ = r.Close() }() // read only: nothing to flush
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			st.PrunedThrough, st.TornTailBytes = r.PrunedThrough(), r.TornTail()
			return st, nil
		}
		if err != nil {
			return st, err
		}
		if st.Records == 0 {
			st.FirstIndex = rec.Index
		}
		st.Records++
		st.DataBytes += int64(len(rec.Data))
		st.LastIndex = rec.Index
	}
}
