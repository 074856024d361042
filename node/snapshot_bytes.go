package node

import (
	"errors"
	"time"

	"github.com/hashicorp/raft"
)

// DefaultSnapshotLogBytes is the volume of applied commands after which a
// node takes a snapshot even before SnapshotInterval/SnapshotThreshold
// would. Under a heavy upload load entry counts say little about bytes,
// and the log store (bbolt) grows to about three times the log kept
// between snapshots (half-full pages, copy-on-write, the trailing logs).
// Its pages are memory-mapped and read back when the log is compacted, so
// that file is disk, page cache and resident memory at once.
const DefaultSnapshotLogBytes = 32 << 20

// snapshotPollEvery is how often the applied volume is checked.
const snapshotPollEvery = time.Second

// minSnapshotGap spaces volume-triggered snapshots: a snapshot of a large
// state takes seconds of CPU, and at peak upload rates the volume is
// reached every few seconds.
const minSnapshotGap = 10 * time.Second

// snapshotByBytesLoop takes a snapshot whenever cfg.SnapshotLogBytes of
// commands were applied since the last one it took. Raft compacts the log
// after each snapshot, keeping TrailingLogs entries.
func (n *Node) snapshotByBytesLoop() {
	defer n.wg.Done()
	t := time.NewTicker(snapshotPollEvery)
	defer t.Stop()
	last := n.adapter.appliedBytes.Load()
	var lastAt time.Time
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		now := n.adapter.appliedBytes.Load()
		if now-last < n.cfg.SnapshotLogBytes || time.Since(lastAt) < minSnapshotGap {
			continue
		}
		start := time.Now()
		lastAt = start
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
