package transport

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/proto"
)

// fakeStore is a Store without Raft, in the style of rqlite's handler
// tests: a real fsm.State underneath, and function fields a test sets to
// change one behaviour (no leader, a failing Propose, a node that never
// catches up). Nil fields use the default single-leader behaviour, where
// Propose encodes the command and applies it at the next index.
type fakeStore struct {
	t     testing.TB
	id    string
	state *fsm.State

	// ProposeFunc replaces the default Propose.
	ProposeFunc func(ctx context.Context, t fsmpb.CommandType, payload proto.Message) (fsm.Result, error)
	// IsLeaderFunc replaces the default (always leader).
	IsLeaderFunc func() bool
	// LeaderFunc replaces the default (this node, known).
	LeaderFunc func() (id, raftAddr string, ok bool)
	// WaitForAppliedFunc replaces the default wait on the local state.
	WaitForAppliedFunc func(ctx context.Context, index uint64) error

	mu       sync.Mutex // serializes applies, like Raft's single apply loop
	changed  chan struct{}
	proposed atomic.Int64 // Propose calls, whatever their outcome
}

func newFakeStore(t testing.TB, id string) *fakeStore {
	return &fakeStore{t: t, id: id, state: fsm.New(fsm.Config{}), changed: make(chan struct{})}
}

// ID implements Store.
func (f *fakeStore) ID() string { return f.id }

// State implements Store.
func (f *fakeStore) State() *fsm.State { return f.state }

// Propose implements Store.
func (f *fakeStore) Propose(ctx context.Context, t fsmpb.CommandType, payload proto.Message) (fsm.Result, error) {
	f.proposed.Add(1)
	if f.ProposeFunc != nil {
		return f.ProposeFunc(ctx, t, payload)
	}
	return f.applyAt(time.Now(), t, payload)
}

// ProposeEncoded implements Store for the one command proposed encoded
// (Publish): the payload is decoded and proposed through Propose, so that
// ProposeFunc and the proposal count see it.
func (f *fakeStore) ProposeEncoded(ctx context.Context, t fsmpb.CommandType, payload []byte) (fsm.Result, error) {
	if t != fsmpb.CommandType_COMMAND_TYPE_PUBLISH {
		return fsm.Result{}, fmt.Errorf("fake store: %v proposed encoded", t)
	}
	msg := &fsmpb.Publish{}
	if err := proto.Unmarshal(payload, msg); err != nil {
		return fsm.Result{}, err
	}
	return f.Propose(ctx, t, msg)
}

// IsLeader implements Store.
func (f *fakeStore) IsLeader() bool {
	if f.IsLeaderFunc != nil {
		return f.IsLeaderFunc()
	}
	return true
}

// Leader implements Store.
func (f *fakeStore) Leader() (string, string, bool) {
	if f.LeaderFunc != nil {
		return f.LeaderFunc()
	}
	return f.id, "127.0.0.1:7000", true
}

// AppliedIndex implements Store.
func (f *fakeStore) AppliedIndex() uint64 { return f.state.Index() }

// Changed implements Store: the channel is closed at the next apply.
func (f *fakeStore) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

// WaitForApplied implements Store like node.Node does.
func (f *fakeStore) WaitForApplied(ctx context.Context, index uint64) error {
	if f.WaitForAppliedFunc != nil {
		return f.WaitForAppliedFunc(ctx, index)
	}
	return f.waitApplied(ctx, index)
}

// waitApplied is the default WaitForApplied, for wrappers to call.
func (f *fakeStore) waitApplied(ctx context.Context, index uint64) error {
	for {
		ch := f.Changed()
		if f.AppliedIndex() >= index {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for index %d (at %d): %w", index, f.AppliedIndex(), cluster.ErrNotCaughtUp)
		}
	}
}

// applyAt encodes a command stamped with leader time now, applies it at the
// next index and wakes waiters, as the node's FSM adapter does.
func (f *fakeStore) applyAt(now time.Time, t fsmpb.CommandType, payload proto.Message) (fsm.Result, error) {
	data, err := fsm.Encode(t, payload, now)
	if err != nil {
		return fsm.Result{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	res, err := f.state.Apply(f.state.Index()+1, data)
	if err != nil {
		return fsm.Result{}, fmt.Errorf("fake store apply %v: %w", t, err)
	}
	close(f.changed)
	f.changed = make(chan struct{})
	return res, nil
}

// mustApply applies a command at leader time now and fails the test on any
// error, domain refusals included.
func (f *fakeStore) mustApply(now time.Time, t fsmpb.CommandType, payload proto.Message) fsm.Result {
	f.t.Helper()
	res, err := f.applyAt(now, t, payload)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		f.t.Fatalf("apply %v: %v", t, err)
	}
	return res
}
