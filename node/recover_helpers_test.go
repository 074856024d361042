package node

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/journal"
	"github.com/tekstore/tekstore/tools/journalgen/workload"
)

// testWait bounds every wait in these tests (slow, race-instrumented CI).
const testWait = 20 * time.Second

// testNodeConfig is a node config with short timeouts for local tests.
func testNodeConfig(id, dir, raftAddr string, bootstrap bool) Config {
	if raftAddr == "" {
		raftAddr = "127.0.0.1:0"
	}
	return Config{
		ID: id, DataDir: dir, RaftBind: raftAddr, HTTPURL: "http://" + id + ".invalid", Bootstrap: bootstrap,
		HeartbeatTimeout: 300 * time.Millisecond, ElectionTimeout: 300 * time.Millisecond,
		LeaderLeaseTimeout: 200 * time.Millisecond, CommitTimeout: 5 * time.Millisecond,
		CheckpointInterval: time.Hour, Logger: zerolog.Nop(),
	}
}

// openNode opens a node and closes it when the test ends.
func openNode(t *testing.T, cfg Config) *Node {
	t.Helper()
	n, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open(%s): %v", cfg.ID, err)
	}
	t.Cleanup(func() { _ = n.Close() })
	return n
}

// reopen opens a stopped node's data directory again on its old address.
func reopen(t *testing.T, dir string) *Node {
	t.Helper()
	id, err := LoadIdentity(dir)
	if err != nil {
		t.Fatalf("LoadIdentity(%s): %v", dir, err)
	}
	return openNode(t, testNodeConfig(id.ID, dir, id.RaftAddr, false))
}

// waitLeader waits until n is the leader.
func waitLeader(t *testing.T, n *Node) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for !n.IsLeader() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not become leader", n.ID())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// joinVoter adds follower to leader's cluster and waits until it caught up.
func joinVoter(t *testing.T, leader, follower *Node) {
	t.Helper()
	f := leader.Raft().AddVoter(raft.ServerID(follower.ID()), follower.trans.LocalAddr(), 0, testWait)
	if err := f.Error(); err != nil {
		t.Fatalf("AddVoter(%s): %v", follower.ID(), err)
	}
	waitApplied(t, follower, leader.AppliedIndex())
}

// waitApplied waits until n applied index.
func waitApplied(t *testing.T, n *Node, index uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	if err := n.WaitForApplied(ctx, index); err != nil {
		t.Fatalf("%s: %v", n.ID(), err)
	}
}

// fill proposes a generated workload of subs submissions on leader.
func fill(t *testing.T, leader *Node, opts workload.Options) {
	t.Helper()
	if opts.Start.IsZero() {
		opts.Start = time.Now()
	}
	err := workload.Generate(opts, func(c workload.Command) error {
		res, err := leader.Propose(context.Background(), c.Type, c.Payload)
		if err != nil {
			return err
		}
		return resultErr(res)
	})
	if err != nil {
		t.Fatalf("fill: %v", err)
	}
}

// writeJournal writes a generated workload straight into a journal at dir
// (indexes from 3, as after bootstrap) and returns the state that applying
// the same commands gives.
func writeJournal(t testing.TB, dir string, opts workload.Options, jopts journal.Options) *fsm.State {
	t.Helper()
	w, err := journal.Open(dir, jopts)
	if err != nil {
		t.Fatalf("journal.Open: %v", err)
	}
	st := fsm.New(fsm.Config{})
	index := uint64(2)
	err = workload.Generate(opts, func(c workload.Command) error {
		data, err := c.Encode()
		if err != nil {
			return err
		}
		index++
		if err := w.Append(index, 1, data); err != nil && !errors.Is(err, journal.ErrRetention) {
			return err
		}
		res, err := st.Apply(index, data)
		if err != nil {
			return err
		}
		return resultErr(res)
	})
	if err != nil {
		t.Fatalf("writeJournal: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("journal close: %v", err)
	}
	return st
}

// journalOf is a node's journal directory.
func journalOf(dir string) string { return filepath.Join(dir, journalDirName) }

// resultErr returns the domain error of a result, including those of the
// items of a publish, so that a workload never silently does nothing.
func resultErr(res fsm.Result) error {
	if res.Err != nil {
		return res.Err
	}
	if items, ok := res.Value.([]fsm.PublishItemResult); ok {
		for _, it := range items {
			if it.Err != nil {
				return it.Err
			}
			if it.Inserted == 0 {
				return errors.New("publish inserted no key")
			}
		}
	}
	return nil
}
