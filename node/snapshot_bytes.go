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

// minTrailingLogs is the fewest log entries kept after a snapshot however
// large they are.
const minTrailingLogs = 256

// snapshotByBytesLoop takes a snapshot whenever cfg.SnapshotLogBytes of
// commands were applied since the last one it took. Raft compacts the log
// after each snapshot, keeping TrailingLogs entries; those are bounded in
// bytes too (see trailingFor).
func (n *Node) snapshotByBytesLoop() {
	defer n.wg.Done()
	t := time.NewTicker(snapshotPollEvery)
	defer t.Stop()
	last := n.adapter.appliedBytes.Load()
	lastIndex := n.raft.AppliedIndex()
	var lastAt time.Time
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		now, index := n.adapter.appliedBytes.Load(), n.raft.AppliedIndex()
		n.boundTrailingLogs(now-last, index-lastIndex)
		if now-last < n.cfg.SnapshotLogBytes || time.Since(lastAt) < minSnapshotGap {
			continue
		}
		start := time.Now()
		lastAt = start
		err := n.raft.Snapshot().Error()
		switch {
		case err == nil:
			n.log.Info().Int64("applied_bytes", now-last).Dur("took", time.Since(start)).Msg("snapshot taken after a large volume of commands")
			last, lastIndex = now, index
		case errors.Is(err, raft.ErrNothingNewToSnapshot):
			last, lastIndex = now, index
		default:
			n.log.Warn().Err(err).Msg("snapshot by volume failed; will retry")
		}
	}
}

// trailingFor returns how many entries to keep after a snapshot when
// entries of the recent log average avg bytes: at most cfg.TrailingLogs,
// and no more than half of SnapshotLogBytes in total. Batched uploads make
// entries of tens of kilobytes under load, where a count alone would keep
// hundreds of megabytes of log (bbolt file, page cache and resident memory).
func (n *Node) trailingFor(avg int64) uint64 {
	want := n.cfg.TrailingLogs
	if avg > 0 {
		want = min(want, uint64(n.cfg.SnapshotLogBytes/2/avg))
	}
	return max(want, min(minTrailingLogs, n.cfg.TrailingLogs))
}

// boundTrailingLogs sets raft's TrailingLogs from the entries applied
// since the last volume snapshot (bytes over entries), when it moved by
// more than a quarter. It takes effect at the next compaction.
func (n *Node) boundTrailingLogs(bytes int64, entries uint64) {
	if entries < minTrailingLogs {
		return // too few entries to say what size they are
	}
	want := n.trailingFor(bytes / int64(entries))
	rc := n.raft.ReloadableConfig()
	if diff := max(want, rc.TrailingLogs) - min(want, rc.TrailingLogs); diff*4 <= rc.TrailingLogs {
		return
	}
	rc.TrailingLogs = want
	if err := n.raft.ReloadConfig(rc); err != nil {
		n.log.Warn().Err(err).Msg("set trailing logs")
	}
}
