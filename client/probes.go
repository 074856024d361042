package client

import (
	"context"
	"net/http"
)

// Health is the answer of /healthz and /readyz.
type Health struct {
	Status       string `json:"status"`
	Node         string `json:"node"`
	Leader       string `json:"leader,omitempty"`
	AppliedIndex uint64 `json:"appliedIndex,omitempty"`
	Meta         Meta   `json:"-"`
}

// Healthz reports whether the process is up.
func (c *Client) Healthz(ctx context.Context) (Health, error) { return c.probe(ctx, "/healthz") }

// Readyz reports whether the node has a leader and has caught up; a node
// that is not ready answers *APIError with status 503.
func (c *Client) Readyz(ctx context.Context) (Health, error) { return c.probe(ctx, "/readyz") }

func (c *Client) probe(ctx context.Context, path string) (Health, error) {
	var out Health
	meta, err := c.doJSON(ctx, request{method: http.MethodGet, path: path}, &out)
	out.Meta = meta
	return out, err
}
