package faults

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/tekstore/tekstore/client"
)

// membershipWait bounds one membership change.
const membershipWait = 60 * time.Second

// AddMember starts a spare node that joins through the serving members'
// URLs (POST /v1/cluster/nodes, forwarded to the leader) and waits until
// the leader lists it with its suffrage.
func (c *Cluster) AddMember(ctx context.Context, id string) error {
	m := c.member(id)
	if m == nil {
		return fmt.Errorf("add %s: %w", id, ErrUnknownNode)
	}
	var join []string
	for _, o := range c.Serving() {
		join = append(join, c.URL(o))
	}
	if err := c.spawn(m, false, join); err != nil {
		return fmt.Errorf("add %s: %w", id, err)
	}
	err := poll(ctx, membershipWait, func() bool {
		l := c.Leader(ctx)
		return l != "" && c.isMember(ctx, l, id, !m.def.NonVoter)
	})
	if err != nil {
		return fmt.Errorf("add %s: not a member: %w", id, err)
	}
	c.mu.Lock()
	m.inConfig = true
	c.mu.Unlock()
	return nil
}

// RemoveMember removes a node with DELETE /v1/cluster/nodes/{id} sent to
// another serving member (retried until answered 200), then stops its
// process and deletes its data directory so that it can be added afresh.
func (c *Cluster) RemoveMember(ctx context.Context, id string) error {
	m := c.member(id)
	if m == nil {
		return fmt.Errorf("remove %s: %w", id, ErrUnknownNode)
	}
	var last error
	err := poll(ctx, membershipWait, func() bool {
		for _, via := range c.Serving() {
			if via == id {
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, last = c.Client(via, AdminToken, 10*time.Second).RemoveNode(rctx, id)
			cancel()
			if last == nil {
				return true
			}
			var ae *client.APIError
			if errors.As(last, &ae) && !ae.Temporary() && ae.Status != 500 {
				return false
			}
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("remove %s: %w (last answer: %v)", id, err, last)
	}
	c.mu.Lock()
	m.inConfig = false
	p := m.proc
	m.proc = nil
	c.mu.Unlock()
	if p != nil && !p.exited() {
		if err := p.terminate(); err != nil {
			c.cfg.Logf("stop removed node %s: %v", id, err)
		}
	}
	if err := os.RemoveAll(m.dataDir); err != nil {
		return fmt.Errorf("remove %s: delete data: %w", id, err)
	}
	return nil
}

// Spares returns the slots that are not members now.
func (c *Cluster) Spares() []string {
	members := c.Members()
	var out []string
	for _, id := range c.ids {
		if !slices.Contains(members, id) {
			out = append(out, id)
		}
	}
	return out
}

// IsNonVoter reports whether a slot joins as a non-voter.
func (c *Cluster) IsNonVoter(id string) bool {
	m := c.member(id)
	return m != nil && m.def.NonVoter
}
