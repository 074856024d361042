package node

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

// tickCheck is how often the leader looks for due embargo releases and
// expiries.
const tickCheck = time.Second

// leaderLoop runs the leader's periodic proposals: a Tick when an embargo
// release or expiry is due, and a checkpoint seal every CheckpointInterval
// when the public set changed.
func (n *Node) leaderLoop() {
	defer n.wg.Done()
	tick := time.NewTicker(tickCheck)
	defer tick.Stop()
	nextSeal := time.Now().Add(n.cfg.CheckpointInterval)
	for {
		select {
		case <-n.stop:
			return
		case isLeader := <-n.leaderCh:
			if isLeader {
				nextSeal = time.Now().Add(n.cfg.CheckpointInterval)
				n.maybeRaiseFeatureLevel()
				n.wg.Add(1)
				go n.markLeaderReady()
			}
		case now := <-tick.C:
			if !n.IsLeader() {
				continue
			}
			n.maybeRaiseFeatureLevel()
			if at, ok := n.state.NextEvent(); ok && at <= now.UnixMilli() {
				n.proposeQuietly(fsmpb.CommandType_COMMAND_TYPE_TICK, &fsmpb.Tick{})
			}
			if !now.Before(nextSeal) {
				nextSeal = now.Add(n.cfg.CheckpointInterval)
				if n.state.Unsealed() {
					n.Seal()
				}
			}
		}
	}
}

// markLeaderReady waits until this new leader has applied every entry
// before its term began (a Raft barrier), then records the term as ready
// for CaughtUp. If leadership is lost meanwhile the barrier fails and the
// next election's leader does the same.
func (n *Node) markLeaderReady() {
	defer n.wg.Done()
	term := n.raft.CurrentTerm()
	f := n.raft.Barrier(n.cfg.ApplyTimeout)
	// raft does not answer a barrier still queued when it shuts down: wait
	// for it aside, so that Close is not held up (that goroutine ends with
	// the process at worst).
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		if err != nil {
			n.log.Debug().Err(err).Uint64("term", term).Msg("leader barrier")
			return
		}
		n.readyTerm.Store(term)
	case <-n.stop:
	}
}

// Seal proposes a checkpoint seal now (the leader does this on its
// schedule; tests and operators may call it directly).
func (n *Node) Seal() (fsm.SealResult, error) {
	pad := n.padding()
	res, err := n.Propose(context.Background(), fsmpb.CommandType_COMMAND_TYPE_SEAL_CHECKPOINT, &fsmpb.SealCheckpoint{Padding: fsm.KeysToPB(pad)})
	if err != nil {
		return fsm.SealResult{}, err
	}
	if res.Err != nil {
		return fsm.SealResult{}, res.Err
	}
	sr, _ := res.Value.(fsm.SealResult)
	return sr, nil
}

func (n *Node) proposeQuietly(t fsmpb.CommandType, p *fsmpb.Tick) {
	if _, err := n.Propose(context.Background(), t, p); err != nil {
		n.log.Warn().Err(err).Str("command", t.String()).Msg("leader proposal failed")
	}
}

// padding makes the random keys that bring the next export file up to
// ExportMinKeys. They are made here, on the leader, and travel in the seal
// command so every node serves the same file.
func (n *Node) padding() []tek.Key {
	if n.cfg.ExportMinKeys <= 0 {
		return nil
	}
	missing := n.cfg.ExportMinKeys - n.state.UnsealedCount()
	if missing <= 0 {
		return nil
	}
	return RandomKeys(missing, time.Now(), n.state.Retention())
}

// RandomKeys returns n random keys with whole-day windows spread over the
// retention window before now, indistinguishable in shape from real keys.
func RandomKeys(n int, now time.Time, retention time.Duration) []tek.Key {
	today := tek.IntervalOf(now) / tek.IntervalsPerDay * tek.IntervalsPerDay
	days := uint32(retention / (24 * time.Hour))
	if days == 0 {
		days = 1
	}
	out := make([]tek.Key, n)
	var buf [4]byte
	for i := range out {
		_, _ = rand.Read(out[i].Data[:])
		_, _ = rand.Read(buf[:])
		back := 1 + binary.BigEndian.Uint32(buf[:])%days
		out[i].RollingStart = today - back*tek.IntervalsPerDay
		out[i].RollingPeriod = tek.MaxRollingPeriod
		out[i].TransmissionRisk = buf[0] % 9
		out[i].ReportType = tek.ReportConfirmed
	}
	return out
}
