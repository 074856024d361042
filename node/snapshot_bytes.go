package node

import (
	"errors"
	"time"

	"github.com/hashicorp/raft"
)

// DefaultSnapshotLogBytes is the volume of applied commands after which a
// node takes a snapshot even before SnapshotInterval/SnapshotThreshold
// would: under a heavy upload load, entry counts say little about bytes,
// and every byte of Raft log kept between snapshots is disk, page cache and
// resident memory (the log store is memory-mapped).
const DefaultSnapshotLogBytes = 64 << 20

// snapshotPollEvery is how often the applied volume is checked.
const snapshotPollEvery = time.Second

// snapshotByBytesLoop takes a snapshot whenever cfg.SnapshotLogBytes of
// commands were applied since the last one it took. Raft compacts the log
// after each snapshot, keeping TrailingLogs entries.
func (n *Node) snapshotByBytesLoop() {
	defer n.wg.Done()
	t := time.NewTicker(snapshotPollEvery)
	defer t.Stop()
	last := n.adapter.appliedBytes.Load()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		now := n.adapter.appliedBytes.Load()
		if now-last < n.cfg.SnapshotLogBytes {
			continue
		}
		start := time.Now()
		err := n.raft.Snapshot().Error()
		switch {
		case err == nil:
			n.log.Info().Int64("applied_bytes", now-last).Dur("took", time.Since(start)).Msg("snapshot taken after a large volume of commands")
			last = now
		case errors.Is(err, raft.ErrNothingNewToSnapshot):
			last = now
		default:
			n.log.Warn().Err(err).Msg("snapshot by volume failed; will retry")
		}
	}
}
