package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	// segmentExt is the file name extension of segment files.
	segmentExt = ".seg"
	// segmentDigits is the width of the zero-padded index in a segment name.
	segmentDigits = 20
)

// segmentFile is one segment as found in the journal directory.
type segmentFile struct {
	base uint64 // index the segment was created for, from its name
	path string
}

// segmentName is the file name of the segment created for index base.
func segmentName(base uint64) string {
	return fmt.Sprintf("%0*d%s", segmentDigits, base, segmentExt)
}

// parseSegmentName returns the base index encoded in a segment file name.
func parseSegmentName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segmentExt)
	if !ok || len(digits) != segmentDigits {
		return 0, false
	}
	base, err := strconv.ParseUint(digits, 10, 64)
	return base, err == nil
}

// listSegments returns the segments in dir, oldest first. Other files are
// ignored.
func listSegments(dir string) ([]segmentFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("journal: list segments: %w", err)
	}
	segs := make([]segmentFile, 0, len(entries))
	for _, e := range entries { // ReadDir sorts by name, and names sort by index
		if !e.Type().IsRegular() {
			continue
		}
		if base, ok := parseSegmentName(e.Name()); ok {
			segs = append(segs, segmentFile{base: base, path: filepath.Join(dir, e.Name())})
		}
	}
	return segs, nil
}

// syncDir makes file creations and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: open dir for sync: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal: sync dir %s: %w", dir, err)
	}
	return nil
}
