package faults

import (
	"context"
	"slices"

	"github.com/tekstore/tekstore/client"
	"github.com/tekstore/tekstore/cluster-tests/history"
)

// reader reads one node's public set until ctx ends: it keeps a client-side
// replica from /v1/keys deltas (since = the last until it got) and records
// each complete read. Reads alternate between min_index = the highest seq
// any client saw (a fresh read: an isolated or lagging node answers 503
// not_caught_up) and min_index = its own last index (a session read, which
// any node that is up serves from its local state).
func (w *Workload) reader(ctx context.Context, clientID int, node string) {
	var rep history.Replica
	var since uint64
	for n := 0; sleep(ctx, w.cfg.ReadPause); n++ {
		if !slices.Contains(w.c.Members(), node) || !slices.Contains(w.c.Running(), node) {
			rep, since = history.Replica{}, 0 // a node added again later starts afresh
			continue
		}
		minIndex := since
		if n%2 == 0 {
			minIndex = max(since, w.maxSeq.Load())
		}
		since = w.read(ctx, clientID, node, &rep, since, minIndex, since)
	}
}

// read performs one complete read (every page until more=false) and
// records it; it returns the since to continue from. A failed page
// records a failed read; pages already applied stay applied, which is
// correct because since advances with them.
//
// A successful read that ends at skipIndex (the index this reader's
// previous read ended at: same node, same state, same answer) is counted
// but not recorded. Such repeats carry no information for the checkers,
// and many reads at one index with overlapping intervals make porcupine's
// search exponential (it tries their orders). Final reads pass
// skipIndex = finalRead and are always recorded.
func (w *Workload) read(ctx context.Context, clientID int, node string, rep *history.Replica, since, minIndex, skipIndex uint64) uint64 {
	final := skipIndex == finalRead
	op := w.rec.Begin(clientID, history.KindRead, history.Input{Node: node, Since: since, MinIndex: minIndex})
	cl := w.c.Client(node, "", w.cfg.AttemptTimeout)
	for {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.AttemptTimeout)
		d, err := cl.Keys(actx, client.KeysQuery{Since: since, Limit: w.cfg.ReadLimit, MinIndex: minIndex,
			Wait: w.cfg.AttemptTimeout / 2})
		cancel()
		if err != nil {
			op.Fail(err)
			if !final {
				w.count("read_failed")
			}
			return since
		}
		rep.Apply(d.Reset, historyKeys(d.Keys), refKeys(d.Revoked))
		since = d.Until
		if !d.More {
			break
		}
	}
	w.noteSeq(since)
	if !final {
		w.count("read_ok")
		if since == skipIndex {
			return since
		}
	}
	op.Ok(history.Output{Keys: w.filter(rep.Keys()), Index: since})
	return since
}

// finalRead is the skipIndex of a final read (no index is that high).
const finalRead = ^uint64(0)

// filter drops the keys of earlier runs (WorkloadConfig.Exclude).
func (w *Workload) filter(keys []history.Key) []history.Key {
	if len(w.cfg.Exclude) == 0 {
		return keys
	}
	return slices.DeleteFunc(keys, func(k history.Key) bool {
		_, old := w.cfg.Exclude[k]
		return old
	})
}
