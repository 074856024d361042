package faults

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Isolate partitions a node from every other node (Raft and node-to-node
// HTTP; gossip is UDP and not affected).
func (c *Cluster) Isolate(id string) error {
	if err := c.raftNet.Isolate(id); err != nil {
		return err
	}
	return c.httpNet.Isolate(id)
}

// Split partitions the nodes into groups (nodes in no group are alone).
func (c *Cluster) Split(groups ...[]string) error {
	if err := c.raftNet.Split(groups...); err != nil {
		return err
	}
	return c.httpNet.Split(groups...)
}

// Blackhole makes every link to and from a node drop traffic silently
// (connections hang instead of being reset) until Heal.
func (c *Cluster) Blackhole(id string) error {
	return c.eachLinkOf(id, func(from, to string) error {
		for _, n := range c.nets() {
			p, err := n.Link(from, to)
			if err != nil {
				return err
			}
			p.Blackhole()
		}
		return nil
	})
}

// Heal ends every partition and black hole and removes bandwidth caps;
// latency between data centers stays.
func (c *Cluster) Heal() {
	for _, n := range c.nets() {
		n.HealAll()
	}
	_ = c.eachLink(func(from, to string) error {
		for _, n := range c.nets() {
			if p, err := n.Link(from, to); err == nil {
				p.SetBandwidth(0)
			}
		}
		return nil
	})
}

// ResetConns resets every live connection between nodes once.
func (c *Cluster) ResetConns() {
	_ = c.eachLink(func(from, to string) error {
		for _, n := range c.nets() {
			if p, err := n.Link(from, to); err == nil {
				p.ResetAll()
			}
		}
		return nil
	})
}

// LimitBandwidth caps every link to and from a node at bytesPerSec each
// way (0 removes the cap).
func (c *Cluster) LimitBandwidth(id string, bytesPerSec int) error {
	return c.eachLinkOf(id, func(from, to string) error {
		for _, n := range c.nets() {
			p, err := n.Link(from, to)
			if err != nil {
				return err
			}
			p.SetBandwidth(bytesPerSec)
		}
		return nil
	})
}

// Kill sends SIGKILL to a node and waits for it to die.
func (c *Cluster) Kill(id string) error {
	m := c.member(id)
	if m == nil {
		return fmt.Errorf("kill %s: %w", id, ErrUnknownNode)
	}
	c.mu.Lock()
	p := m.proc
	c.mu.Unlock()
	if p == nil || p.exited() {
		return fmt.Errorf("kill %s: %w", id, ErrNotRunning)
	}
	p.kill()
	return nil
}

// Restart starts a killed node again on its data directory and addresses,
// without bootstrap or join.
func (c *Cluster) Restart(ctx context.Context, id string) error {
	m := c.member(id)
	if m == nil {
		return fmt.Errorf("restart %s: %w", id, ErrUnknownNode)
	}
	c.mu.Lock()
	p := m.proc
	c.mu.Unlock()
	if p != nil && !p.exited() {
		return fmt.Errorf("restart %s: still running", id)
	}
	var err error
	// The killed process's ports may take a moment to free.
	perr := poll(ctx, 30*time.Second, func() bool {
		err = c.spawn(m, false, nil)
		return err == nil
	})
	if perr != nil {
		return fmt.Errorf("restart %s: %w (last error: %v)", id, perr, err)
	}
	return nil
}

// Pause stops a node with SIGSTOP; Resume continues it.
func (c *Cluster) Pause(id string) error {
	p, err := c.runningProc(id)
	if err != nil {
		return fmt.Errorf("pause %s: %w", id, err)
	}
	return p.pause()
}

// Resume continues a paused node with SIGCONT.
func (c *Cluster) Resume(id string) error {
	p, err := c.runningProc(id)
	if err != nil {
		return fmt.Errorf("resume %s: %w", id, err)
	}
	return p.resume()
}

// ResumeAll continues every paused node.
func (c *Cluster) ResumeAll() {
	for _, id := range c.Running() {
		if p, err := c.runningProc(id); err == nil && p.isPaused() {
			_ = p.resume()
		}
	}
}

// RestartDead restarts every member whose process is not running.
func (c *Cluster) RestartDead(ctx context.Context) error {
	for _, id := range c.Members() {
		if !slices.Contains(c.Running(), id) {
			if err := c.Restart(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Cluster) runningProc(id string) (*process, error) {
	m := c.member(id)
	if m == nil {
		return nil, ErrUnknownNode
	}
	c.mu.Lock()
	p := m.proc
	c.mu.Unlock()
	if p == nil || p.exited() {
		return nil, ErrNotRunning
	}
	return p, nil
}

// eachLink calls fn for every directed pair of nodes.
func (c *Cluster) eachLink(fn func(from, to string) error) error {
	for _, a := range c.ids {
		for _, b := range c.ids {
			if a != b {
				if err := fn(a, b); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// eachLinkOf calls fn for every directed pair with id at one end.
func (c *Cluster) eachLinkOf(id string, fn func(from, to string) error) error {
	if c.member(id) == nil {
		return fmt.Errorf("%s: %w", id, ErrUnknownNode)
	}
	for _, o := range c.ids {
		if o == id {
			continue
		}
		if err := fn(id, o); err != nil {
			return err
		}
		if err := fn(o, id); err != nil {
			return err
		}
	}
	return nil
}

// IsolateRaft partitions only a node's Raft links: it stops receiving the
// log (and lags) while node-to-node HTTP, e.g. forwarding, still works.
func (c *Cluster) IsolateRaft(id string) error { return c.raftNet.Isolate(id) }
