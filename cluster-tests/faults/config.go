package faults

import (
	"fmt"
	"time"
)

// AdminToken is the admin token of every fault-test cluster.
const AdminToken = "tka_faults-admin-token"

// Default latency between data centers, each way.
const (
	DefaultDCLatency = 40 * time.Millisecond
	DefaultDCJitter  = 10 * time.Millisecond
)

// NodeDef describes one node slot of a cluster.
type NodeDef struct {
	ID string
	DC string
	// Initial nodes start with the cluster (the first one bootstraps);
	// others are spares that the nemesis adds and removes.
	Initial bool
	// NonVoter makes the node join as a non-voting member.
	NonVoter bool
}

// Timing is the Raft timing of every node (zero: the node's defaults).
type Timing struct {
	Heartbeat          time.Duration `json:"heartbeat"`
	Election           time.Duration `json:"election"`
	LeaderLease        time.Duration `json:"leaderLease"`
	SnapshotThreshold  uint64        `json:"snapshotThreshold"`
	SnapshotInterval   time.Duration `json:"snapshotInterval"`
	TrailingLogs       uint64        `json:"trailingLogs"`
	CheckpointInterval time.Duration `json:"checkpointInterval"`
}

// TestTiming is tuned for short runs on a busy two-core machine under the
// race detector: elections in about a second, and frequent snapshots with
// a short trailing log so that restarted nodes catch up by snapshot
// installation (hashicorp/raft #697's territory) and not only by log.
var TestTiming = Timing{
	Heartbeat: 1000 * time.Millisecond, Election: 1000 * time.Millisecond, LeaderLease: 500 * time.Millisecond,
	SnapshotThreshold: 256, SnapshotInterval: 3 * time.Second, TrailingLogs: 128,
	CheckpointInterval: 10 * time.Second,
}

// Config describes a cluster.
type Config struct {
	// Dir holds the nodes' data directories and logs.
	Dir string
	// Nodes are the node slots (ids unique, at least one Initial).
	Nodes []NodeDef
	// Timing is the Raft timing of every node.
	Timing Timing
	// DCLatency and DCJitter are the one-way latency between nodes of
	// different data centers (negative: none).
	DCLatency, DCJitter time.Duration
	// Exe is the binary to run as a node (default: this executable, which
	// must call IsNodeProcess/NodeMain first thing).
	Exe string
	// LogLevel of the nodes (default warn); their logs go to Dir/ID.log.
	LogLevel string
	// Logf receives the harness's and the nemesis's event lines.
	Logf func(format string, args ...any)
}

// ThreeDCs returns three initial voters n1..n3 in dc1..dc3 plus spares:
// n4 (a voter) and n5 (a non-voter) for membership changes.
func ThreeDCs() []NodeDef {
	return []NodeDef{
		{ID: "n1", DC: "dc1", Initial: true}, {ID: "n2", DC: "dc2", Initial: true}, {ID: "n3", DC: "dc3", Initial: true},
		{ID: "n4", DC: "dc1"}, {ID: "n5", DC: "dc2", NonVoter: true},
	}
}

// FiveNodesThreeDCs returns five initial voters spread over three data
// centers (2+2+1) plus spares n6 (voter) and n7 (non-voter).
func FiveNodesThreeDCs() []NodeDef {
	return []NodeDef{
		{ID: "n1", DC: "dc1", Initial: true}, {ID: "n2", DC: "dc1", Initial: true},
		{ID: "n3", DC: "dc2", Initial: true}, {ID: "n4", DC: "dc2", Initial: true},
		{ID: "n5", DC: "dc3", Initial: true},
		{ID: "n6", DC: "dc3"}, {ID: "n7", DC: "dc1", NonVoter: true},
	}
}

func (c *Config) validate() error {
	seen := make(map[string]bool)
	initial := 0
	for _, n := range c.Nodes {
		if n.ID == "" || n.DC == "" || seen[n.ID] {
			return fmt.Errorf("faults: node slot %+v: id and dc required, ids unique", n)
		}
		seen[n.ID] = true
		if n.Initial {
			initial++
		}
	}
	if initial == 0 || c.Dir == "" {
		return fmt.Errorf("faults: need a directory and at least one initial node")
	}
	if c.DCLatency == 0 {
		c.DCLatency, c.DCJitter = DefaultDCLatency, DefaultDCJitter
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return nil
}
