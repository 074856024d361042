package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// journalGapsFile, inside a journal directory, lists the index ranges the
// journal lacks because the node's state came from a snapshot instead of
// from applying those entries: a restore from a backup, a node that joined
// after log compaction, or one that was offline while the log was
// compacted. The journal package ignores files that are not segments, so
// the list travels with the journal when an operator copies it.
const journalGapsFile = "gaps.json"

// JournalGap is a range of log indexes whose commands are missing from a
// journal: every command after After and up to Through.
type JournalGap struct {
	After   uint64    `json:"after"`
	Through uint64    `json:"through"`
	Time    time.Time `json:"time"`
	Reason  string    `json:"reason"`
}

// ReadJournalGaps returns the gaps recorded in a journal directory, oldest
// first; none when the journal is complete.
func ReadJournalGaps(dir string) ([]JournalGap, error) {
	b, err := os.ReadFile(filepath.Join(dir, journalGapsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal gaps: %w", err)
	}
	var gaps []JournalGap
	if err := json.Unmarshal(b, &gaps); err != nil {
		return nil, fmt.Errorf("read journal gaps %s: %w", filepath.Join(dir, journalGapsFile), err)
	}
	return gaps, nil
}

// recordJournalGap adds a gap to the journal directory's list, once.
func recordJournalGap(dir string, g JournalGap) error {
	gaps, err := ReadJournalGaps(dir)
	if err != nil {
		return err
	}
	for _, have := range gaps {
		if have.After == g.After && have.Through == g.Through {
			return nil // the same restore seen again after a restart
		}
	}
	gaps = append(gaps, g)
	b, err := json.MarshalIndent(gaps, "", "  ")
	if err != nil {
		return fmt.Errorf("encode journal gaps: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, journalGapsFile), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// journalPosition is what the adapter needs to detect a gap.
type journalPosition interface {
	LastIndex() uint64
	Dir() string
}

// noteRestoredState records a journal gap when the state just restored from
// a snapshot is ahead of the journal: the commands in between were never
// applied here, so the journal alone can no longer rebuild the state.
func (a *fsmAdapter) noteRestoredState(reason string) error {
	j, ok := a.journal.(journalPosition)
	if !ok {
		return nil
	}
	last, idx := j.LastIndex(), a.state.Index()
	if last >= idx {
		return nil
	}
	g := JournalGap{After: last, Through: idx, Time: time.Now().UTC(), Reason: reason}
	if err := recordJournalGap(j.Dir(), g); err != nil {
		return fmt.Errorf("record journal gap (%d, %d]: %w", last, idx, err)
	}
	a.log.Warn().Uint64("after", last).Uint64("through", idx).
		Msg("state restored from a snapshot ahead of the event journal; the journal lacks these commands and a rebuild needs a backup covering them")
	return nil
}
