package node

import (
	"fmt"
	"sync"
	"time"
)

// journalSyncer makes appended journal records durable off the apply path.
//
// Why the apply path need not wait for the fsync: every entry the state
// machine applies is already durable in this node's Raft log (raft-boltdb
// syncs before a follower acknowledges and before the leader counts
// itself), and an upload is confirmed only after it is committed. If the
// machine crashes before the journal's fsync, the journal loses a tail of
// records that the Raft log still holds; on restart Raft restores its
// latest snapshot and applies every later entry again, and the adapter
// appends those the journal lacks (journal.Writer ignores indexes it has).
// The Raft log only drops entries covered by a snapshot, and
// fsmAdapter.Snapshot syncs the journal before it freezes the state, so a
// compacted entry is always in the synced journal.
//
// The syncer fsyncs when there is something new, at most once per
// journalSyncInterval: a record is durable in the journal within about
// that interval of being applied. Writer.Sync holds the journal's lock, so
// fewer fsyncs also means that Append (on the apply path) rarely waits
// behind one.
type journalSyncer struct {
	j     Journal
	fatal func(error)

	kick     chan struct{} // one pending request is enough
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// newJournalSyncer starts the syncing goroutine. fatal is called (once) when
// an fsync fails; the syncer stops then, as a failed fsync leaves the
// journal's durability unknown.
func newJournalSyncer(j Journal, fatal func(error)) *journalSyncer {
	s := &journalSyncer{j: j, fatal: fatal, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

// request asks for a sync of everything appended so far, without waiting.
func (s *journalSyncer) request() {
	select {
	case s.kick <- struct{}{}:
	default: // a sync is already pending and will cover these records
	}
}

// journalSyncInterval is the shortest time between two fsyncs of the journal.
const journalSyncInterval = 50 * time.Millisecond

func (s *journalSyncer) loop() {
	defer close(s.done)
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		}
		start := time.Now()
		if err := s.j.Sync(); err != nil {
			s.fatal(fmt.Errorf("journal sync: %w", err))
			return
		}
		pause.Reset(journalSyncInterval - time.Since(start))
		select {
		case <-s.stop:
			return
		case <-pause.C:
		}
	}
}

// close stops the goroutine and syncs what is left.
func (s *journalSyncer) close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
	if err := s.j.Sync(); err != nil {
		return fmt.Errorf("journal sync: %w", err)
	}
	return nil
}
