package cluster

import "errors"

// Errors of the Raft layer; transport maps them to HTTP answers in one place
// (transport/errors.go).
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
	// ErrMemberConflict: the Raft address is already used by another node id.
	ErrMemberConflict = errors.New("raft address already used by another node")
	// ErrLastVoter: the change would leave the cluster without a voter.
	ErrLastVoter = errors.New("cannot remove the last voter")
	// ErrHandedOver: the leader was asked to remove itself and handed
	// leadership to another voter first; the new leader must finish the
	// removal.
	ErrHandedOver = errors.New("leadership handed over before removing this node")
)
