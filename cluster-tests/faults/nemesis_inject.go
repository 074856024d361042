package faults

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// errNoTarget: the fault has no node to act on right now (no leader, no
// follower, no spare); the nemesis logs it and moves on.
var errNoTarget = errors.New("no target")

// leaderWait bounds how long a leader fault waits for an election.
const leaderWait = 10 * time.Second

// targetsLeader reports whether a fault needs the current leader.
func targetsLeader(kind FaultKind) bool {
	switch kind {
	case FaultIsolateLeader, FaultKillLeader, FaultPauseLeader, FaultSplitLeaderMinority, FaultSplitLeaderMajority:
		return true
	}
	return false
}

// awaitLeader polls for a leader until one is found, limit passes or ctx
// ends; it returns "" when there is none.
func (n *Nemesis) awaitLeader(ctx context.Context, limit time.Duration) string {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if id := n.c.Leader(context.WithoutCancel(ctx)); id != "" {
			return id
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	return ""
}

// inject applies one fault, holds it and heals it.
func (n *Nemesis) inject(ctx context.Context, kind FaultKind) error {
	c := n.c
	bg := context.WithoutCancel(ctx) // healing must finish even when the run ends
	leader := c.Leader(bg)
	if leader == "" && targetsLeader(kind) {
		// Right after a kill or a heal the cluster may still be electing;
		// a leader fault waits for the new leader rather than being lost.
		leader = n.awaitLeader(ctx, leaderWait)
	}
	switch kind {
	case FaultIsolateFollower, FaultIsolateLeader, FaultBlackholeFollower, FaultBandwidth:
		target, err := n.pick(kind, leader)
		if err != nil {
			return err
		}
		switch kind {
		case FaultBlackholeFollower:
			err = c.Blackhole(target)
		case FaultBandwidth:
			err = c.LimitBandwidth(target, BandwidthCap)
		default:
			err = c.Isolate(target)
		}
		if err != nil {
			return err
		}
		n.log(Event{Kind: kind, Phase: "start", Target: target})
		n.hold(ctx)
		c.Heal()
		n.log(Event{Kind: kind, Phase: "heal", Target: target})
	case FaultSplitLeaderMinority, FaultSplitLeaderMajority:
		if leader == "" {
			return fmt.Errorf("split: %w (no leader)", errNoTarget)
		}
		a, b := n.split(leader, kind == FaultSplitLeaderMinority)
		if err := c.Split(a, b); err != nil {
			return err
		}
		target := strings.Join(a, ",") + " | " + strings.Join(b, ",")
		n.log(Event{Kind: kind, Phase: "start", Target: target})
		n.hold(ctx)
		c.Heal()
		n.log(Event{Kind: kind, Phase: "heal", Target: target})
	case FaultResetConns:
		n.log(Event{Kind: kind, Phase: "start", Target: "all links", Detail: "3 resets 300 ms apart"})
		for i := range 3 {
			if i > 0 {
				time.Sleep(300 * time.Millisecond)
			}
			c.ResetConns()
		}
	case FaultKillLeader, FaultKillFollower:
		target, err := n.pick(kind, leader)
		if err != nil {
			return err
		}
		if err := c.Kill(target); err != nil {
			return err
		}
		n.log(Event{Kind: kind, Phase: "start", Target: target, Detail: "SIGKILL"})
		n.hold(ctx)
		if err := c.Restart(bg, target); err != nil {
			return err
		}
		n.log(Event{Kind: kind, Phase: "heal", Target: target, Detail: "restarted on its data directory"})
	case FaultPauseFollower, FaultPauseLeader:
		target, err := n.pick(kind, leader)
		if err != nil {
			return err
		}
		if err := c.Pause(target); err != nil {
			return err
		}
		n.log(Event{Kind: kind, Phase: "start", Target: target, Detail: "SIGSTOP"})
		time.Sleep(PauseFor)
		if err := c.Resume(target); err != nil {
			return err
		}
		n.log(Event{Kind: kind, Phase: "heal", Target: target, Detail: fmt.Sprintf("SIGCONT after %v", PauseFor)})
	case FaultAddRemoveVoter, FaultAddRemoveNonVoter:
		return n.membership(ctx, kind)
	default:
		return fmt.Errorf("unknown fault kind %q", kind)
	}
	return nil
}

// membership adds a spare node of the fault's suffrage under load, holds,
// and removes it again.
func (n *Nemesis) membership(ctx context.Context, kind FaultKind) error {
	c := n.c
	bg := context.WithoutCancel(ctx)
	nonVoter := kind == FaultAddRemoveNonVoter
	var spare string
	for _, id := range c.Spares() {
		if c.IsNonVoter(id) == nonVoter {
			spare = id
			break
		}
	}
	if spare == "" {
		return fmt.Errorf("membership: %w (no spare)", errNoTarget)
	}
	t0 := time.Now()
	n.log(Event{Kind: kind, Phase: "start", Target: spare, Detail: "POST /v1/cluster/nodes"})
	if err := c.AddMember(bg, spare); err != nil {
		_ = c.RemoveMember(bg, spare)
		return err
	}
	n.log(Event{Kind: kind, Phase: "info", Target: spare, Detail: fmt.Sprintf("member after %v", time.Since(t0).Round(time.Millisecond))})
	n.hold(ctx)
	t1 := time.Now()
	if err := c.RemoveMember(bg, spare); err != nil {
		return err
	}
	n.log(Event{Kind: kind, Phase: "heal", Target: spare, Detail: fmt.Sprintf("DELETE /v1/cluster/nodes answered after %v", time.Since(t1).Round(time.Millisecond))})
	return nil
}

// pick chooses the node a fault acts on: the leader, or a random serving
// follower.
func (n *Nemesis) pick(kind FaultKind, leader string) (string, error) {
	switch kind {
	case FaultIsolateLeader, FaultKillLeader, FaultPauseLeader:
		if leader == "" {
			return "", fmt.Errorf("%s: %w (no leader)", kind, errNoTarget)
		}
		return leader, nil
	case FaultBandwidth:
		serving := n.c.Serving()
		if len(serving) == 0 {
			return "", fmt.Errorf("%s: %w", kind, errNoTarget)
		}
		return serving[n.rng.IntN(len(serving))], nil
	}
	followers := slices.DeleteFunc(n.c.Serving(), func(id string) bool { return id == leader })
	if len(followers) == 0 {
		return "", fmt.Errorf("%s: %w (no follower)", kind, errNoTarget)
	}
	return followers[n.rng.IntN(len(followers))], nil
}

// split divides the members into two groups, the leader's first: with
// leaderInMinority the leader's side holds a minority of the voters.
func (n *Nemesis) split(leader string, leaderInMinority bool) (a, b []string) {
	voters := n.c.Voters()
	minority := (len(voters) - 1) / 2
	size := len(voters) - minority // majority
	if leaderInMinority {
		size = max(minority, 1)
	}
	a = []string{leader}
	for _, i := range n.rng.Perm(len(voters)) {
		if id := voters[i]; id != leader {
			if len(a) < size {
				a = append(a, id)
			} else {
				b = append(b, id)
			}
		}
	}
	for _, id := range n.c.Members() { // non-voters land on either side
		if !slices.Contains(voters, id) {
			if n.rng.IntN(2) == 0 {
				a = append(a, id)
			} else {
				b = append(b, id)
			}
		}
	}
	slices.Sort(a)
	slices.Sort(b)
	return a, b
}
