package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Join retry schedule: exponential backoff with jitter between attempts.
const (
	joinBackoffMin = 200 * time.Millisecond
	joinBackoffMax = 5 * time.Second
	joinTimeout    = 30 * time.Second
)

// ErrJoinRefused: a node answered the join request with an error.
var ErrJoinRefused = errors.New("join request refused")

// joinAnswer is the part of the POST /v1/cluster/nodes answer a joining
// node uses.
type joinAnswer struct {
	Leader      string   `json:"leader"`
	Changed     bool     `json:"changed"`
	GossipPeers []string `json:"gossipPeers"`
}

// joinLoop asks the --join nodes to add this node until one of them (via
// the leader) says it is a member, then hands the gossip addresses of the
// answer to the gossip loop.
func (c *cluster) joinLoop() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	wait := joinBackoffMin
	for attempt := 0; ; attempt++ {
		url := strings.TrimRight(c.opts.Join[attempt%len(c.opts.Join)], "/")
		ans, err := c.requestJoin(ctx, url)
		if err == nil {
			c.log.Info().Str("via", url).Str("leader", ans.Leader).Bool("changed", ans.Changed).Msg("member of the cluster")
			select {
			case c.joined <- ans.GossipPeers:
			default:
			}
			return
		}
		if ctx.Err() != nil {
			return
		}
		c.log.Warn().Err(err).Str("via", url).Dur("retry_in", wait).Msg("join request failed")
		select {
		case <-time.After(wait + rand.N(wait/2+1)):
		case <-ctx.Done():
			return
		}
		wait = min(wait*2, joinBackoffMax)
	}
}

// requestJoin sends POST /v1/cluster/nodes to one node.
func (c *cluster) requestJoin(ctx context.Context, base string) (joinAnswer, error) {
	body, err := json.Marshal(map[string]any{
		"id": c.opts.ID, "raftAddr": c.node.RaftAddr(), "httpAddr": c.httpURL, "voter": !c.opts.NonVoter,
	})
	if err != nil {
		return joinAnswer{}, fmt.Errorf("encode join request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/cluster/nodes", bytes.NewReader(body))
	if err != nil {
		return joinAnswer{}, fmt.Errorf("build join request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.opts.AdminToken)
	resp, err := c.client.Do(req)
	if err != nil {
		return joinAnswer{}, fmt.Errorf("send join request: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return joinAnswer{}, fmt.Errorf("read join answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		return joinAnswer{}, fmt.Errorf("%w: status %d %s: %s", ErrJoinRefused, resp.StatusCode, e.Error.Code, e.Error.Message)
	}
	var ans joinAnswer
	if err := json.Unmarshal(raw, &ans); err != nil {
		return joinAnswer{}, fmt.Errorf("decode join answer: %w", err)
	}
	return ans, nil
}
