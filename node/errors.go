package node

import "errors"

// Errors of the node layer; transport maps them to 503 answers.
var (
	// ErrNotLeader: this node is not the leader (a write must be forwarded).
	ErrNotLeader = errors.New("not the leader")
	// ErrNoLeader: the cluster has no known leader right now.
	ErrNoLeader = errors.New("no leader")
	// ErrLeadershipLost: leadership was lost while the command was in flight;
	// it may or may not have been committed (retrying an idempotent write is safe).
	ErrLeadershipLost = errors.New("leadership lost while committing")
	// ErrNotCaughtUp: the node did not reach the requested index in time.
	ErrNotCaughtUp = errors.New("not caught up")
	// ErrShutdown: the node is shutting down.
	ErrShutdown = errors.New("node shutting down")
)
