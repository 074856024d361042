package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/journal"
)

// Data directory layout.
const (
	raftDBFile     = "raft.db"
	snapshotsDir   = "snapshots"
	journalDirName = "journal"
	snapshotRetain = 2
	transportPool  = 5
	transportWait  = 10 * time.Second
	// logCacheEntries is the number of recent Raft entries kept in memory
	// (raft.LogCache): enough for replication and apply in normal operation.
	logCacheEntries = 256
)

// Node is one running cluster member.
type Node struct {
	cfg     Config
	log     zerolog.Logger
	raft    *raft.Raft
	store   *raftboltdb.BoltStore
	trans   *raft.NetworkTransport
	adapter *fsmAdapter
	state   *fsm.State
	journal *journal.Writer

	stop     chan struct{}
	wg       sync.WaitGroup
	closeMu  sync.Mutex
	closed   bool
	leaderCh chan bool
	// readyTerm is the latest term in which this node, as leader, applied
	// everything before the term began (markLeaderReady).
	readyTerm atomic.Uint64
	commits   *commitWatcher // highest leader commit index seen (CaughtUp)

	publishCh  chan publishReq
	batchSizes prometheus.Histogram
	fwdMu      sync.Mutex
	forwarder  cluster.PublishForwarder
	// levelSource tells members' announced feature levels (under fwdMu).
	levelSource FeatureLevelSource
}

// Open starts a node on its data directory: it opens the stores, restores
// the latest snapshot, replays the log and joins Raft. With cfg.Bootstrap it
// bootstraps a new single-voter cluster when the directory holds no state.
func Open(cfg Config) (*Node, error) {
	cfg.setDefaults()
	if cfg.ID == "" || cfg.DataDir == "" {
		return nil, errors.New("node: id and data directory are required")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	n := &Node{cfg: cfg, log: cfg.Logger.With().Str("component", "node").Logger(), stop: make(chan struct{})}
	if err := n.open(); err != nil {
		n.closeResources()
		return nil, err
	}
	n.batchSizes = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "tekstore_publish_batch_items", Help: "Uploads per Publish command proposed by this node.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 10),
	})
	n.startBatcher()
	n.wg.Add(2)
	go n.leaderLoop()
	go n.snapshotByBytesLoop()
	return n, nil
}

func (n *Node) open() error {
	cfg := n.cfg
	n.state = fsm.New(fsm.Config{Retention: cfg.Retention})
	n.adapter = &fsmAdapter{state: n.state, applied: newBroadcast(), log: n.log,
		onFatal: func(err error) { panic(err) }}
	if !cfg.NoJournal {
		dir := cfg.JournalDir
		if dir == "" {
			dir = filepath.Join(cfg.DataDir, journalDirName)
		}
		j, err := journal.Open(dir, journal.Options{RetainAge: cfg.JournalRetainAge, RetainBytes: cfg.JournalRetainBytes})
		if err != nil {
			return fmt.Errorf("open journal: %w", err)
		}
		logJournalRecovery(n.log, j)
		n.journal = j
		n.adapter.journal = j
		n.adapter.syncer = newJournalSyncer(j, n.adapter.fatal)
	}

	store, err := openRaftStore(filepath.Join(cfg.DataDir, raftDBFile), raftStoreOpenTimeout)
	if err != nil {
		return err
	}
	n.store = store
	hlog := newHCLogger(cfg.Logger, "raft")
	snaps, err := raft.NewFileSnapshotStoreWithLogger(filepath.Join(cfg.DataDir, snapshotsDir), snapshotRetain, hlog)
	if err != nil {
		return fmt.Errorf("open snapshot store: %w", err)
	}
	layer, err := newStreamLayer(cfg.RaftBind, cfg.RaftAdv, cfg.ClusterTLS, cfg.Dial)
	if err != nil {
		return err
	}
	n.trans = raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream: layer, MaxPool: transportPool, Timeout: transportWait, Logger: hlog,
	})
	if err := checkIdentity(cfg.DataDir, Identity{ID: cfg.ID, RaftAddr: string(n.trans.LocalAddr()), HTTPURL: cfg.HTTPURL, DC: cfg.DC}); err != nil {
		return err
	}

	if err := n.installPendingRestore(store, snaps); err != nil {
		return err
	}
	rc := n.raftConfig()
	hasState, err := raft.HasExistingState(store, store, snaps)
	if err != nil {
		return fmt.Errorf("inspect raft state: %w", err)
	}
	if cfg.Bootstrap && !hasState {
		conf := raft.Configuration{Servers: []raft.Server{{ID: rc.LocalID, Address: n.trans.LocalAddr(), Suffrage: raft.Voter}}}
		if err := raft.BootstrapCluster(rc, store, store, snaps, n.trans, conf); err != nil {
			return fmt.Errorf("bootstrap cluster: %w", err)
		}
	}
	n.leaderCh = make(chan bool, 8)
	rc.NotifyCh = n.leaderCh
	// Recent entries are read back from memory instead of bolt: the leader
	// to replicate them, every node to apply them.
	logs, err := raft.NewLogCache(logCacheEntries, store)
	if err != nil {
		return fmt.Errorf("raft log cache: %w", err)
	}
	r, err := raft.NewRaft(rc, n.adapter, logs, store, snaps, n.watchCommits(n.trans))
	if err != nil {
		return fmt.Errorf("start raft: %w", err)
	}
	n.raft = r
	return nil
}

func (n *Node) raftConfig() *raft.Config {
	cfg := n.cfg
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.HeartbeatTimeout = cfg.HeartbeatTimeout
	rc.ElectionTimeout = cfg.ElectionTimeout
	rc.LeaderLeaseTimeout = cfg.LeaderLeaseTimeout
	rc.CommitTimeout = cfg.CommitTimeout
	rc.MaxAppendEntries = cfg.MaxAppendEntries
	rc.SnapshotThreshold = cfg.SnapshotThreshold
	rc.SnapshotInterval = cfg.SnapshotInterval
	rc.TrailingLogs = cfg.TrailingLogs
	rc.BatchApplyCh = true
	rc.Logger = newHCLogger(cfg.Logger, "raft")
	return rc
}

// Close stops the node: leadership loop, Raft, stores and journal.
func (n *Node) Close() error {
	n.closeMu.Lock()
	if n.closed {
		n.closeMu.Unlock()
		return nil
	}
	n.closed = true
	n.closeMu.Unlock()
	close(n.stop)
	var err error
	if n.raft != nil {
		err = n.raft.Shutdown().Error()
	}
	n.wg.Wait()
	if cerr := n.closeResources(); err == nil {
		err = cerr
	}
	return err
}

func (n *Node) closeResources() error {
	var errs []error
	if n.trans != nil {
		errs = append(errs, n.trans.Close())
	}
	if n.store != nil {
		errs = append(errs, n.store.Close())
	}
	if n.adapter != nil && n.adapter.syncer != nil {
		errs = append(errs, n.adapter.syncer.close())
	}
	if n.journal != nil {
		errs = append(errs, n.journal.Close())
	}
	return errors.Join(errs...)
}

// ID returns the node id.
func (n *Node) ID() string { return n.cfg.ID }

// Config returns the node's configuration (after defaults).
func (n *Node) Config() Config { return n.cfg }

// State returns the local state machine for reads.
func (n *Node) State() *fsm.State { return n.state }

// Raft exposes the raft instance to the membership code and tests.
func (n *Node) Raft() *raft.Raft { return n.raft }

// AppliedIndex returns the index of the last command applied locally.
func (n *Node) AppliedIndex() uint64 { return n.adapter.index.Load() }

// Changed returns a channel closed at the next applied batch.
func (n *Node) Changed() <-chan struct{} { return n.adapter.applied.Wait() }

// IsLeader reports whether this node is the Raft leader.
func (n *Node) IsLeader() bool { return n.raft.State() == raft.Leader }

// Leader returns the leader's id and raft address, if known.
func (n *Node) Leader() (id, raftAddr string, ok bool) {
	addr, sid := n.raft.LeaderWithID()
	return string(sid), string(addr), sid != ""
}

// WaitForApplied blocks until the local state has applied index, ctx ends
// (ErrNotCaughtUp) or the node stops.
func (n *Node) WaitForApplied(ctx context.Context, index uint64) error {
	for {
		ch := n.Changed()
		if n.AppliedIndex() >= index {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for index %d (at %d): %w", index, n.AppliedIndex(), cluster.ErrNotCaughtUp)
		case <-n.stop:
			return cluster.ErrShutdown
		}
	}
}

// WaitForLeader blocks until some node is known as leader or timeout.
func (n *Node) WaitForLeader(timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if id, _, ok := n.Leader(); ok {
			return id, nil
		}
		if time.Now().After(deadline) {
			return "", cluster.ErrNoLeader
		}
		select {
		case <-tick.C:
		case <-n.stop:
			return "", cluster.ErrShutdown
		}
	}
}

// Collectors returns the node's Prometheus collectors for the API's registry.
func (n *Node) Collectors() []prometheus.Collector {
	inProgress := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tekstore_snapshots_in_progress", Help: "Snapshots frozen and still being written (0 or 1).",
	}, func() float64 { return float64(n.adapter.snapshotting.Load()) })
	return []prometheus.Collector{n.batchSizes, inProgress}
}
