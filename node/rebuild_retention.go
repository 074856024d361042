package node

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/journal"
)

// ErrBadRetention reports a --journal-retention value that cannot be read.
var ErrBadRetention = errors.New("bad journal retention")

// ParseJournalRetention reads a --journal-retention value: "" or "forever"
// keeps everything (the default); a duration keeps segments younger than
// it ("720h", or days as "90d"); a size keeps the newest segments up to it
// ("50GB", "512MiB"; units B, KB, MB, GB, TB and KiB..TiB). A journal that
// lost old segments can no longer rebuild the state from nothing, only from
// a backup taken after its start.
func ParseJournalRetention(v string) (age time.Duration, bytes int64, err error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "forever" || v == "0" {
		return 0, 0, nil
	}
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseUint(d, 10, 16)
		if err != nil || n == 0 {
			return 0, 0, fmt.Errorf("%w: %q: days must be a positive whole number", ErrBadRetention, v)
		}
		return time.Duration(n) * 24 * time.Hour, 0, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d <= 0 {
			return 0, 0, fmt.Errorf("%w: %q: must be positive", ErrBadRetention, v)
		}
		return d, 0, nil
	}
	b, err := parseBytes(v)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %q: want forever, a duration (720h, 90d) or a size (50GB)", ErrBadRetention, v)
	}
	return 0, b, nil
}

var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

func parseBytes(v string) (int64, error) {
	for _, u := range byteUnits {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 63)
			if err != nil || n == 0 || int64(n) > (1<<62)/u.mult {
				return 0, errors.New("bad size")
			}
			return int64(n) * u.mult, nil
		}
	}
	return 0, errors.New("no unit")
}

// logJournalRecovery reports what opening the journal repaired or found.
func logJournalRecovery(log zerolog.Logger, j *journal.Writer) {
	rec := j.Recovery()
	ev := log.Info()
	if rec.TruncatedBytes > 0 || len(rec.RemovedSegments) > 0 || len(rec.Damaged) > 0 {
		ev = log.Warn()
	}
	ev.Str("dir", j.Dir()).Uint64("last_index", j.LastIndex()).Int64("bytes", j.SizeBytes()).
		Int64("torn_tail_truncated_bytes", rec.TruncatedBytes).Int("empty_segments_removed", len(rec.RemovedSegments)).
		Int("damaged_regions", len(rec.Damaged)).Msg("event journal opened")
	for _, d := range rec.Damaged {
		log.Error().Str("segment", d.Segment).Int64("offset", d.Offset).Int64("bytes", d.Bytes).
			Uint64("after_index", d.AfterIndex).Uint64("resume_index", d.ResumeIndex).AnErr("cause", d.Err).
			Msg("event journal damaged; rebuild will stop here unless told to skip it")
	}
}

// JournalBytes returns the event journal's size on disk (0 without one).
func (n *Node) JournalBytes() int64 {
	if n.journal == nil {
		return 0
	}
	return n.journal.SizeBytes()
}
