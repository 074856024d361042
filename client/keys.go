package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// KeysQuery selects a page of GET /v1/keys.
type KeysQuery struct {
	// Since is the seq the caller has seen (0: the whole public set).
	Since uint64
	// Limit caps the keys in one answer (0: the server's default).
	Limit int
	// Wait long-polls: the node answers when something changed after Since
	// or when Wait passes (max 60s).
	Wait time.Duration
	// MinIndex makes the node wait until it has applied this index.
	MinIndex uint64
}

// Delta is a change of the public key set between two seqs (the answer of
// GET /v1/keys, and the body of a checkpoint).
type Delta struct {
	Since uint64 `json:"since"`
	Until uint64 `json:"until"`
	// Reset means Keys is the whole public set: replace what you had.
	Reset bool `json:"reset"`
	// More means the page was cut at the limit: call again with Since=Until.
	More    bool     `json:"more"`
	Keys    []Key    `json:"keys"`
	Revoked []KeyRef `json:"revoked"`
	Meta    Meta     `json:"-"`
}

// Keys returns the delta of the public set after q.Since (spec §4).
func (c *Client) Keys(ctx context.Context, q KeysQuery) (Delta, error) {
	v := url.Values{"since": {strconv.FormatUint(q.Since, 10)}}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	r := request{method: http.MethodGet, path: "/v1/keys", query: v}
	r.apply([]ReadOption{Wait(q.Wait), MinIndex(q.MinIndex)})
	var out Delta
	meta, err := c.doJSON(ctx, r, &out)
	out.Meta = meta
	return out, err
}
