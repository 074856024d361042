package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/raft"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/journal"
	"go.etcd.io/bbolt"
)

// recoverLockWait is how long Recover waits for the Raft store's file lock;
// a running node holds it.
const recoverLockWait = 2 * time.Second

// ErrNodeRunning: the data directory is in use by a running node.
var ErrNodeRunning = errors.New("data directory in use (is the node still running?)")

// RecoverOptions configures Recover.
type RecoverOptions struct {
	// DataDir is the stopped node's data directory.
	DataDir string
	// JournalDir overrides DataDir/journal, as Config.JournalDir does.
	JournalDir string
	// Retention must be the cluster's key retention when the directory holds
	// no snapshot to read it from (0: fsm.DefaultRetention).
	Retention time.Duration
	Logger    zerolog.Logger
}

// RecoverResult says what Recover did.
type RecoverResult struct {
	// ID and RaftAddr are the node's identity from DataDir/node.json; the
	// new configuration names only this voter.
	ID, RaftAddr string
	// AppliedIndex is the index of the last command in the recovered state.
	AppliedIndex uint64
	// Digest is the recovered state's digest.
	Digest string
}

// Recover turns the stopped node in opts.DataDir into a new single-voter
// cluster that keeps its data, for when a quorum is lost for good. It is
// raft.RecoverCluster with a configuration of only this node (its id and
// Raft address from DataDir/node.json): the latest snapshot and every log
// entry after it become a new snapshot, and `serve` on DataDir then starts
// as the only voter and elects itself; other nodes join it afterwards.
// Entries this node had stored but not yet applied (possibly never
// committed by the old cluster) are kept and journaled too.
func Recover(opts RecoverOptions) (RecoverResult, error) {
	id, err := LoadIdentity(opts.DataDir)
	if err != nil {
		return RecoverResult{}, fmt.Errorf("read node identity in %s (was a node ever started here?): %w", opts.DataDir, err)
	}
	if id.ID == "" || id.RaftAddr == "" {
		return RecoverResult{}, fmt.Errorf("node identity in %s lacks id or raft address", opts.DataDir)
	}
	if _, err := os.Stat(filepath.Join(opts.DataDir, raftDBFile)); err != nil {
		return RecoverResult{}, fmt.Errorf("no raft store in %s: %w", opts.DataDir, err)
	}
	store, err := openRaftStore(filepath.Join(opts.DataDir, raftDBFile), recoverLockWait)
	if errors.Is(err, bbolt.ErrTimeout) {
		return RecoverResult{}, fmt.Errorf("%s: %w", opts.DataDir, ErrNodeRunning)
	}
	if err != nil {
		return RecoverResult{}, err
	}
	defer store.Close()
	hlog := newHCLogger(opts.Logger, "raft")
	snaps, err := raft.NewFileSnapshotStoreWithLogger(filepath.Join(opts.DataDir, snapshotsDir), snapshotRetain, hlog)
	if err != nil {
		return RecoverResult{}, fmt.Errorf("open snapshot store: %w", err)
	}
	retention, err := recoverRetention(snaps, opts.Retention)
	if err != nil {
		return RecoverResult{}, err
	}
	adapter := &fsmAdapter{state: fsm.New(fsm.Config{Retention: retention}), applied: newBroadcast(),
		log: opts.Logger.With().Str("component", "recover").Logger()}
	var applyErr error
	adapter.onFatal = func(err error) {
		if applyErr == nil {
			applyErr = err
		}
	}
	jdir := opts.JournalDir
	if jdir == "" {
		jdir = filepath.Join(opts.DataDir, journalDirName)
	}
	if _, err := os.Stat(jdir); err == nil {
		j, err := journal.Open(jdir, journal.Options{})
		if err != nil {
			return RecoverResult{}, fmt.Errorf("open journal: %w", err)
		}
		defer j.Close()
		adapter.journal = j
	}

	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(id.ID)
	rc.Logger = hlog
	_, trans := raft.NewInmemTransport(raft.ServerAddress(id.RaftAddr))
	defer trans.Close()
	conf := raft.Configuration{Servers: []raft.Server{{ID: rc.LocalID, Address: raft.ServerAddress(id.RaftAddr), Suffrage: raft.Voter}}}
	if err := raft.RecoverCluster(rc, adapter, store, store, snaps, trans, conf); err != nil {
		return RecoverResult{}, fmt.Errorf("recover cluster: %w", err)
	}
	if applyErr != nil {
		return RecoverResult{}, fmt.Errorf("recover cluster: %w", applyErr)
	}
	return RecoverResult{ID: id.ID, RaftAddr: id.RaftAddr, AppliedIndex: adapter.state.Index(), Digest: adapter.state.Digest()}, nil
}

// recoverRetention takes the retention from the newest snapshot, which the
// state must match; without a snapshot it is the caller's (or the default).
func recoverRetention(snaps *raft.FileSnapshotStore, given time.Duration) (time.Duration, error) {
	if given <= 0 {
		given = fsm.DefaultRetention
	}
	list, err := snaps.List()
	if err != nil {
		return 0, fmt.Errorf("list snapshots: %w", err)
	}
	if len(list) == 0 {
		return given, nil
	}
	_, rc, err := snaps.Open(list[0].ID)
	if err != nil {
		return 0, fmt.Errorf("open snapshot %s: %w", list[0].ID, err)
	}
	defer rc.Close()
	meta, err := ReadBackupMeta(rc)
	if err != nil {
		return 0, fmt.Errorf("snapshot %s: %w", list[0].ID, err)
	}
	return time.Duration(meta.RetentionMs) * time.Millisecond, nil
}
