package node

import (
	"fmt"
	"sync"
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
// The syncer fsyncs as soon as there is something new: fsyncs coalesce
// under load (one per round of the loop) and a record is durable within
// about one fsync of being applied when idle.
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

func (s *journalSyncer) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		}
		if err := s.j.Sync(); err != nil {
			s.fatal(fmt.Errorf("journal sync: %w", err))
			return
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
