package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/journal"
)

// rebuildCheckEvery is how many records Rebuild applies between checks of
// its context.
const rebuildCheckEvery = 4096

// Errors of Rebuild.
var (
	// ErrJournalPruned: retention removed the journal's oldest records, so it
	// cannot rebuild the state from nothing.
	ErrJournalPruned = errors.New("journal does not start at the beginning (old segments were removed)")
	// ErrJournalGap: the journal lacks commands that its node received as a
	// snapshot instead (see JournalGap); a backup covering them is needed.
	ErrJournalGap = errors.New("journal lacks commands its node received as a snapshot")
	// ErrJournalBehind: the journal ends before the backup it should extend.
	ErrJournalBehind = errors.New("journal holds nothing after the backup")
)

// RebuildOptions configures Rebuild.
type RebuildOptions struct {
	// JournalDir is the journal to replay (a node's DataDir/journal).
	JournalDir string
	// FromBackup, when set, starts from this backup file and applies only
	// the journal's records after the backup's index.
	FromBackup string
	// Retention is the cluster's key retention (0: fsm.DefaultRetention);
	// ignored with FromBackup, whose retention is used.
	Retention time.Duration
	// SkipCorrupt steps over damaged records instead of stopping at the
	// first one; Result.Skipped lists what was lost.
	SkipCorrupt bool
	// AllowPruned replays a journal whose oldest segments were removed by
	// retention, knowingly producing a state that lacks their commands.
	AllowPruned bool
	// Apply, when set, replaces fsm.State.Apply (tests simulate a faulty
	// state machine with it).
	Apply func(st *fsm.State, index uint64, data []byte) (fsm.Result, error)
}

// RebuildResult reports a rebuild.
type RebuildResult struct {
	// State is the rebuilt state.
	State *fsm.State
	// BaseIndex is the backup's index with FromBackup, else 0.
	BaseIndex uint64
	// Records is the number of journal records applied; FirstIndex and
	// LastIndex are the first and last of them (0 when none).
	Records               int64
	FirstIndex, LastIndex uint64
	// PrunedThrough is the journal's PrunedThrough.
	PrunedThrough uint64
	// Skipped lists damaged regions stepped over (SkipCorrupt).
	Skipped []journal.Skip
	// Elapsed is the time the replay took.
	Elapsed time.Duration
}

// Rebuild replays an event journal through the current state machine, from
// nothing or from a backup, and returns the resulting state (write it with
// WriteBackup). A damaged record stops it with a *journal.CorruptError
// (segment, offset and index) unless SkipCorrupt; a command the state
// machine cannot apply stops it with a *fsm.FatalError naming the index.
func Rebuild(ctx context.Context, opts RebuildOptions) (*RebuildResult, error) {
	start := time.Now()
	res := &RebuildResult{}
	st, err := rebuildBase(opts, res)
	if err != nil {
		return nil, err
	}
	if err := checkGaps(opts.JournalDir, res.BaseIndex); err != nil {
		return nil, err
	}
	apply := opts.Apply
	if apply == nil {
		apply = (*fsm.State).Apply
	}
	r, err := journal.NewReader(opts.JournalDir, journal.ReadOptions{SkipCorrupt: opts.SkipCorrupt, ReuseData: true})
	if err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	defer r.Close()
	checked := false
	for n := 0; ; n++ {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("rebuild: after index %d: %w", st.Index(), err)
		}
		if !checked {
			checked = true
			if err := checkStart(r.PrunedThrough(), res.BaseIndex, opts.AllowPruned); err != nil {
				return nil, err
			}
		}
		if n%rebuildCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("rebuild stopped at index %d: %w", st.Index(), err)
			}
		}
		if rec.Index <= res.BaseIndex {
			continue
		}
		if _, err := apply(st, rec.Index, rec.Data); err != nil {
			return nil, fmt.Errorf("rebuild: %w", err)
		}
		if res.Records == 0 {
			res.FirstIndex = rec.Index
		}
		res.Records++
		res.LastIndex = rec.Index
	}
	res.PrunedThrough, res.Skipped = r.PrunedThrough(), r.Skipped()
	if !checked {
		if err := checkStart(r.PrunedThrough(), res.BaseIndex, opts.AllowPruned); err != nil {
			return nil, err
		}
	}
	if res.BaseIndex > 0 && r.LastIndex() < res.BaseIndex {
		return nil, fmt.Errorf("journal ends at index %d, backup is at %d: %w", r.LastIndex(), res.BaseIndex, ErrJournalBehind)
	}
	res.State, res.Elapsed = st, time.Since(start)
	return res, nil
}

// rebuildBase returns the state to replay onto: the backup's, or an empty one.
func rebuildBase(opts RebuildOptions, res *RebuildResult) (*fsm.State, error) {
	if opts.FromBackup == "" {
		return fsm.New(fsm.Config{Retention: opts.Retention}), nil
	}
	st, info, err := LoadBackup(opts.FromBackup)
	if err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	res.BaseIndex = info.Index
	return st, nil
}

// checkStart refuses a journal whose start lies after the base state.
func checkStart(prunedThrough, base uint64, allow bool) error {
	if prunedThrough <= base || allow {
		return nil
	}
	if base == 0 {
		return fmt.Errorf("journal starts after index %d: %w; rebuild from a backup taken at or after that index (--from-backup)",
			prunedThrough, ErrJournalPruned)
	}
	return fmt.Errorf("journal starts after index %d but the backup is at %d: %w", prunedThrough, base, ErrJournalPruned)
}

// checkGaps refuses gaps the base state does not cover.
func checkGaps(dir string, base uint64) error {
	gaps, err := ReadJournalGaps(dir)
	if err != nil {
		return err
	}
	for _, g := range gaps {
		if g.Through > base {
			return fmt.Errorf("journal lacks the commands after index %d through %d (%s): %w; rebuild from a backup at index %d or later, or use a journal of another node",
				g.After, g.Through, g.Reason, ErrJournalGap, g.Through)
		}
	}
	return nil
}
