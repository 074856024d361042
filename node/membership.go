package node

import (
	"context"
	"fmt"
	"time"

	"github.com/tekstore/tekstore/cluster"

	"github.com/hashicorp/raft"
)

// membershipTimeout bounds a configuration change when the caller's context
// has no deadline.
const membershipTimeout = 30 * time.Second

// RaftAddr returns the Raft address this node advertises.
func (n *Node) RaftAddr() string { return string(n.trans.LocalAddr()) }

// Members returns the latest Raft configuration known to this node (on the
// leader: the authoritative one, including uncommitted changes).
func (n *Node) Members() ([]cluster.Member, error) {
	f := n.raft.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("read raft configuration: %w", mapRaftError(err))
	}
	servers := f.Configuration().Servers
	out := make([]cluster.Member, 0, len(servers))
	for _, s := range servers {
		out = append(out, cluster.Member{ID: string(s.ID), RaftAddr: string(s.Address), Voter: s.Suffrage == raft.Voter})
	}
	return out, nil
}

// AddMember adds m to the Raft configuration (leader only). Adding a member
// that is already there with the same address and suffrage changes nothing
// and reports changed=false; a known id with a new address or suffrage is
// updated. An address taken by another id is ErrMemberConflict.
func (n *Node) AddMember(ctx context.Context, m cluster.Member) (changed bool, err error) {
	if err := n.requireLeader(); err != nil {
		return false, err
	}
	members, err := n.Members()
	if err != nil {
		return false, err
	}
	for _, have := range members {
		if have.ID != m.ID && have.RaftAddr == m.RaftAddr {
			return false, fmt.Errorf("add %s at %s (used by %s): %w", m.ID, m.RaftAddr, have.ID, cluster.ErrMemberConflict)
		}
		if have.ID == m.ID && have.RaftAddr == m.RaftAddr && have.Voter == m.Voter {
			return false, nil
		}
	}
	timeout := changeTimeout(ctx)
	var f raft.IndexFuture
	switch {
	case m.Voter:
		f = n.raft.AddVoter(raft.ServerID(m.ID), raft.ServerAddress(m.RaftAddr), 0, timeout)
	case isVoterAt(members, m):
		// A voter asking to become a read replica at the same address.
		f = n.raft.DemoteVoter(raft.ServerID(m.ID), 0, timeout)
	default:
		f = n.raft.AddNonvoter(raft.ServerID(m.ID), raft.ServerAddress(m.RaftAddr), 0, timeout)
	}
	if err := f.Error(); err != nil {
		return false, fmt.Errorf("add %s: %w", m.ID, mapRaftError(err))
	}
	n.log.Info().Str("member", m.ID).Str("raft", m.RaftAddr).Bool("voter", m.Voter).Msg("cluster member added")
	return true, nil
}

func isVoterAt(members []cluster.Member, m cluster.Member) bool {
	for _, have := range members {
		if have.ID == m.ID && have.RaftAddr == m.RaftAddr && have.Voter {
			return true
		}
	}
	return false
}

// RemoveMember removes id from the Raft configuration (leader only); it
// works while that node is down. Removing an id that is not a member
// reports removed=false. When the leader is asked to remove itself it hands
// leadership to another voter and returns ErrHandedOver: the caller sends
// the removal to the new leader.
func (n *Node) RemoveMember(ctx context.Context, id string) (removed bool, err error) {
	if err := n.requireLeader(); err != nil {
		return false, err
	}
	members, err := n.Members()
	if err != nil {
		return false, err
	}
	found, voters := false, 0
	for _, m := range members {
		if m.ID == id {
			found = true
		}
		if m.Voter && m.ID != id {
			voters++
		}
	}
	if !found {
		return false, nil
	}
	if voters == 0 {
		return false, fmt.Errorf("remove %s: %w", id, cluster.ErrLastVoter)
	}
	if id == n.ID() {
		if err := n.raft.LeadershipTransfer().Error(); err != nil {
			return false, fmt.Errorf("hand over leadership before removing %s: %w", id, mapRaftError(err))
		}
		n.log.Info().Msg("leadership handed over before removing this node")
		return false, fmt.Errorf("remove %s: %w", id, cluster.ErrHandedOver)
	}
	if err := n.raft.RemoveServer(raft.ServerID(id), 0, changeTimeout(ctx)).Error(); err != nil {
		return false, fmt.Errorf("remove %s: %w", id, mapRaftError(err))
	}
	n.log.Info().Str("member", id).Msg("cluster member removed")
	return true, nil
}

func (n *Node) requireLeader() error {
	if n.raft.State() == raft.Leader {
		return nil
	}
	if _, _, ok := n.Leader(); !ok {
		return cluster.ErrNoLeader
	}
	return cluster.ErrNotLeader
}

func changeTimeout(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if d := time.Until(dl); d > 0 {
			return d
		}
		return time.Millisecond
	}
	return membershipTimeout
}
