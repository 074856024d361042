package node

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/hashicorp/raft"
)

// caughtUpLag is how many committed entries a node may still have to apply
// and count as caught up (one pipeline batch in flight is normal).
const caughtUpLag = 64

// Status reports this node's replication state.
func (n *Node) Status() cluster.Status {
	st := cluster.Status{
		ID:           n.ID(),
		State:        strings.ToLower(n.raft.State().String()),
		AppliedIndex: n.AppliedIndex(),
		CommitIndex:  n.seenCommit(),
		LastIndex:    n.raft.LastIndex(),
		InSync:       n.InSync(),
	}
	if n.raft.State() != raft.Leader {
		st.LastContact = n.raft.LastContact()
	}
	if members, err := n.Members(); err == nil {
		for _, m := range members {
			if m.ID == n.ID() {
				st.Voter = m.Voter
			}
		}
	}
	return st
}

// CaughtUp reports whether this node has applied what it knows to be
// committed, within a small lag: a follower compares with the highest commit
// index the leader has sent it, so a node that is still fetching missed
// entries or a snapshot is not caught up. A leader is caught up once it has
// applied every entry before its term's first (markLeaderReady): a node
// restarted on its own log does not apply that log until it commits an
// entry as leader, and until then its commit index says nothing.
func (n *Node) CaughtUp() bool {
	if n.raft.State() == raft.Leader {
		return n.readyTerm.Load() == n.raft.CurrentTerm()
	}
	if n.commits != nil && n.commits.seen.Load() == 0 {
		// Nothing heard from a leader's replication yet (heartbeats carry
		// no commit index): the gap is unknown.
		return false
	}
	return n.raft.AppliedIndex()+caughtUpLag >= n.seenCommit()
}

func (n *Node) seenCommit() uint64 {
	c := n.raft.CommitIndex()
	if n.commits != nil {
		c = max(c, n.commits.seen.Load())
	}
	return c
}

// commitWatcher wraps the Raft transport and records the highest commit
// index the leader announced in AppendEntries: raft itself caps a
// follower's commit index at its own last log entry, which hides how far
// behind a node that missed entries really is.
type commitWatcher struct {
	*raft.NetworkTransport
	out   chan raft.RPC
	seen  atomic.Uint64
	start sync.Once
	run   func()
}

// watchCommits returns a commit watcher over trans; its relay starts when
// raft asks for the consumer channel and stops with the node.
func (n *Node) watchCommits(trans *raft.NetworkTransport) *commitWatcher {
	w := &commitWatcher{NetworkTransport: trans, out: make(chan raft.RPC)}
	w.run = func() {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			w.relay(n.stop)
		}()
	}
	n.commits = w
	return w
}

// Consumer returns the channel raft reads incoming RPCs from.
func (w *commitWatcher) Consumer() <-chan raft.RPC {
	w.start.Do(w.run)
	return w.out
}

func (w *commitWatcher) relay(stop <-chan struct{}) {
	in := w.NetworkTransport.Consumer()
	for {
		select {
		case rpc := <-in:
			if req, ok := rpc.Command.(*raft.AppendEntriesRequest); ok {
				for {
					cur := w.seen.Load()
					if req.LeaderCommitIndex <= cur || w.seen.CompareAndSwap(cur, req.LeaderCommitIndex) {
						break
					}
				}
			}
			select {
			case w.out <- rpc:
			case <-stop:
				return
			}
		case <-stop:
			return
		}
	}
}

// InSync reports whether this node's local state can be trusted to refuse
// a write that names something unknown (a code, token or submission): the
// leader always; a follower when it has applied what the leader announced
// and heard from it within syncWindow. The leader resends its commit index
// every CommitTimeout, so a healthy follower hears from it every few
// milliseconds; one that is cut off or catching up is not in sync and
// relays such writes to the leader.
func (n *Node) InSync() bool {
	if n.raft.State() == raft.Leader {
		return true
	}
	last := n.raft.LastContact()
	return n.CaughtUp() && !last.IsZero() && time.Since(last) <= n.syncWindow()
}

// syncWindow is how recent the last contact with the leader must be for
// InSync: ten commit timeouts, at least 50 ms.
func (n *Node) syncWindow() time.Duration {
	return max(10*n.cfg.CommitTimeout, 50*time.Millisecond)
}

// maxSettle bounds Settle.
const maxSettle = 250 * time.Millisecond

// Settle lets a follower catch up with what the leader had committed when
// Settle was called, without asking the leader: it waits for the leader's
// next commit announcement (the leader resends its commit index every
// CommitTimeout) or at most four commit timeouts (20 ms or more), then until
// that index is applied locally. Bounded by maxSettle and ctx. The leader
// returns at once. A follower calls it before refusing a write that names
// something it does not know, so that a code committed a moment before the
// request arrived is found locally and the refusal stays local otherwise.
func (n *Node) Settle(ctx context.Context) {
	if n.raft.State() == raft.Leader {
		return
	}
	start := time.Now()
	c0 := n.seenCommit()
	announce := start.Add(max(4*n.cfg.CommitTimeout, 20*time.Millisecond))
	limit := start.Add(maxSettle)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		now := time.Now()
		target := n.seenCommit()
		if (target > c0 || now.After(announce)) && n.raft.AppliedIndex() >= target {
			return
		}
		if now.After(limit) {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		case <-n.stop:
			return
		}
	}
}
