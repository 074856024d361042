package transport

import (
	"context"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/proto"
)

// Store is what the HTTP layer needs from a node.
type Store interface {
	ID() string
	State() *fsm.State
	Propose(ctx context.Context, t fsmpb.CommandType, payload proto.Message) (fsm.Result, error)
	// ProposeEncoded is Propose for a payload already encoded (uploads,
	// encoded once by fsm.AppendPublishItem at the node that received them).
	ProposeEncoded(ctx context.Context, t fsmpb.CommandType, payload []byte) (fsm.Result, error)
	IsLeader() bool
	Leader() (id, raftAddr string, ok bool)
	AppliedIndex() uint64
	Changed() <-chan struct{}
	WaitForApplied(ctx context.Context, index uint64) error
}

// PeerDirectory maps node ids to their advertised HTTP base URLs (from
// gossip). A single node needs none.
type PeerDirectory interface {
	HTTPURL(id string) (string, bool)
}
