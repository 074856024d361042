package node

import (
	"crypto/tls"
	"net"
	"time"

	"github.com/rs/zerolog"
)

// Defaults for the Raft settings, chosen to stay stable with up to 150 ms
// round trip between data centers (see docs/operations.md).
const (
	DefaultHeartbeatTimeout   = 1000 * time.Millisecond
	DefaultElectionTimeout    = 1000 * time.Millisecond
	DefaultLeaderLeaseTimeout = 750 * time.Millisecond
	DefaultCommitTimeout      = 5 * time.Millisecond
	DefaultMaxAppendEntries   = 512
	DefaultSnapshotThreshold  = 8192
	DefaultSnapshotInterval   = 2 * time.Minute
	DefaultTrailingLogs       = 10240
	DefaultApplyTimeout       = 10 * time.Second
	DefaultCheckpointInterval = 15 * time.Minute
)

// Config describes one node.
type Config struct {
	ID        string
	DataDir   string
	RaftBind  string // host:port to listen on for Raft
	RaftAdv   string // advertised Raft address; RaftBind's resolved address when empty
	HTTPURL   string // advertised base URL of the HTTP API
	DC        string
	Bootstrap bool
	NonVoter  bool

	Retention          time.Duration
	CheckpointInterval time.Duration
	// ExportMinKeys pads each checkpoint's export file with random keys up
	// to this count (0 = no padding).
	ExportMinKeys int

	HeartbeatTimeout   time.Duration
	ElectionTimeout    time.Duration
	LeaderLeaseTimeout time.Duration
	CommitTimeout      time.Duration
	MaxAppendEntries   int
	SnapshotThreshold  uint64
	SnapshotInterval   time.Duration
	TrailingLogs       uint64
	// SnapshotLogBytes triggers a snapshot after this many bytes of applied
	// commands (DefaultSnapshotLogBytes when 0).
	SnapshotLogBytes int64
	ApplyTimeout     time.Duration

	// ClusterTLS, when set, wraps Raft connections in mutual TLS.
	ClusterTLS *tls.Config
	// Dial, when set, replaces the dialer for outgoing Raft connections
	// (fault-injection tests route traffic through proxies with it).
	Dial func(address string, timeout time.Duration) (net.Conn, error)
	// JournalDir overrides where the event journal lives (DataDir/journal).
	JournalDir string
	// NoJournal disables the event journal (tests of the FSM alone).
	NoJournal bool
	// JournalRetainAge and JournalRetainBytes bound the event journal
	// (whole old segments are removed); 0 keeps everything, the default.
	// See ParseJournalRetention.
	JournalRetainAge   time.Duration
	JournalRetainBytes int64

	Logger zerolog.Logger
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.HeartbeatTimeout, DefaultHeartbeatTimeout)
	def(&c.ElectionTimeout, DefaultElectionTimeout)
	def(&c.LeaderLeaseTimeout, DefaultLeaderLeaseTimeout)
	def(&c.CommitTimeout, DefaultCommitTimeout)
	def(&c.SnapshotInterval, DefaultSnapshotInterval)
	def(&c.ApplyTimeout, DefaultApplyTimeout)
	def(&c.CheckpointInterval, DefaultCheckpointInterval)
	if c.MaxAppendEntries == 0 {
		c.MaxAppendEntries = DefaultMaxAppendEntries
	}
	if c.SnapshotThreshold == 0 {
		c.SnapshotThreshold = DefaultSnapshotThreshold
	}
	if c.SnapshotLogBytes == 0 {
		c.SnapshotLogBytes = DefaultSnapshotLogBytes
	}
	if c.TrailingLogs == 0 {
		c.TrailingLogs = DefaultTrailingLogs
	}
	if c.DC == "" {
		c.DC = "dc1"
	}
}
