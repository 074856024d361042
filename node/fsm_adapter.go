package node

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync/atomic"

	"github.com/hashicorp/raft"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/journal"
)

// Journal receives every applied command in log order (the event journal).
type Journal interface {
	Append(index, term uint64, data []byte) error
	Sync() error
}

// fsmAdapter connects raft to the pure state machine. It implements
// raft.FSM and raft.BatchingFSM, appends each command to the journal, and
// wakes readers once per applied batch.
type fsmAdapter struct {
	state   *fsm.State
	journal Journal
	// syncer, when set, syncs the journal off the apply path (see
	// journalSyncer); without it ApplyBatch syncs once per batch.
	syncer  *journalSyncer
	applied *broadcast
	index   atomic.Uint64
	// appliedBytes counts the command bytes applied (snapshot_bytes.go).
	appliedBytes atomic.Int64
	// snapshotting counts snapshots frozen and not yet released.
	snapshotting atomic.Int32
	log          zerolog.Logger
	onFatal      func(error)
}

var _ raft.BatchingFSM = (*fsmAdapter)(nil)

// Apply applies one entry.
func (a *fsmAdapter) Apply(l *raft.Log) interface{} {
	return a.ApplyBatch([]*raft.Log{l})[0]
}

// ApplyBatch applies a batch of committed entries; non-command entries
// yield nil results.
func (a *fsmAdapter) ApplyBatch(logs []*raft.Log) []interface{} {
	out := make([]interface{}, len(logs))
	journaled := false
	for i, l := range logs {
		if l.Type != raft.LogCommand {
			continue
		}
		a.appliedBytes.Add(int64(len(l.Data)))
		if a.journal != nil {
			if err := a.journal.Append(l.Index, l.Term, l.Data); errors.Is(err, journal.ErrRetention) {
				a.log.Warn().Err(err).Msg("journal retention could not remove old segments")
			} else if err != nil {
				a.fatal(fmt.Errorf("journal append at index %d: %w", l.Index, err))
			}
			journaled = true
		}
		res, err := a.state.Apply(l.Index, l.Data)
		if err != nil {
			var fe *fsm.FatalError
			if errors.As(err, &fe) && l.Index <= a.state.Index() {
				// A replay of an entry already in the restored snapshot.
				continue
			}
			a.fatal(err)
			continue
		}
		out[i] = res
		a.index.Store(l.Index)
	}
	switch {
	case !journaled:
	case a.syncer != nil:
		a.syncer.request()
	default:
		if err := a.journal.Sync(); err != nil {
			a.fatal(fmt.Errorf("journal sync: %w", err))
		}
	}
	a.applied.Notify()
	return out
}

func (a *fsmAdapter) fatal(err error) {
	a.log.Error().Err(err).Msg("state machine cannot apply a committed entry; stopping")
	a.onFatal(err)
}

// Snapshot freezes the state; raft persists it concurrently with Apply.
func (a *fsmAdapter) Snapshot() (raft.FSMSnapshot, error) {
	// The journal is synced in the background (journal_sync.go), so this
	// sync is what keeps "a snapshot never covers unsynced journal
	// records" true: Raft may drop log entries a snapshot covers, and
	// after a crash the journal is refilled only from entries Raft still
	// holds.
	if a.journal != nil {
		if err := a.journal.Sync(); err != nil {
			return nil, fmt.Errorf("sync journal before snapshot: %w", err)
		}
	}
	a.snapshotting.Add(1)
	return &fsmSnapshot{frozen: a.state.Freeze(), done: &a.snapshotting}, nil
}

// restoreGCPercent is the garbage collector target while a snapshot is
// loaded: decoding allocates many short-lived records, and fewer
// collections make a restart of a large node faster.
const restoreGCPercent = 400

// Restore replaces the state from a snapshot.
func (a *fsmAdapter) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	defer debug.SetGCPercent(debug.SetGCPercent(restoreGCPercent))
	if err := a.state.Restore(rc); err != nil {
		return fmt.Errorf("restore snapshot: %w", err)
	}
	a.index.Store(a.state.Index())
	a.applied.Notify()
	return a.noteRestoredState("state restored from a snapshot")
}

type fsmSnapshot struct {
	frozen *fsm.Frozen
	done   *atomic.Int32 // decremented by Release
}

// Persist writes the frozen state to the sink.
func (f *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := f.frozen.WriteTo(sink); err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("persist snapshot: %w", err)
	}
	return sink.Close()
}

// Release frees nothing itself: the frozen view shares the state's columns
// copy-on-write, and chunks no longer referenced are returned by cleanups.
func (f *fsmSnapshot) Release() { f.done.Add(-1) }
