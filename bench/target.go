package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/tekstore/tekstore/client"
)

// Target is the cluster a run talks to.
type Target struct {
	URLs       []string // every node's base URL; URLs[0] is asked for setup
	AdminToken string
	// Leader is the index in URLs of the leader, Follower of one follower
	// (found by Discover).
	Leader, Follower int
}

// httpClient returns a keep-alive client sized for conc connections per host.
func httpClient(conc int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conc * 4,
		MaxIdleConnsPerHost: conc,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 90 * time.Second}
}

// clients returns one client per node sharing hc.
func (t *Target) clients(hc *http.Client, token string) ([]*client.Client, error) {
	out := make([]*client.Client, len(t.URLs))
	for i, u := range t.URLs {
		c, err := client.New(u, client.WithHTTPClient(hc), client.WithToken(token))
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// Discover finds the leader and a follower from GET /v1/cluster.
func (t *Target) Discover(ctx context.Context) error {
	cs, err := t.clients(httpClient(2), t.AdminToken)
	if err != nil {
		return err
	}
	t.Leader, t.Follower = 0, 0
	if len(t.URLs) == 1 {
		return nil
	}
	cl, err := cs[0].Cluster(ctx)
	if err != nil {
		return fmt.Errorf("cluster status: %w", err)
	}
	for i, c := range cs {
		h, err := c.Healthz(ctx)
		if err != nil {
			return fmt.Errorf("healthz %s: %w", t.URLs[i], err)
		}
		if h.Node == cl.Leader {
			t.Leader = i
		} else {
			t.Follower = i
		}
	}
	return nil
}

// provider creates a provider with no daily quota and returns a client for it.
func (t *Target) provider(ctx context.Context, hc *http.Client) (*client.Client, error) {
	admin, err := client.New(t.URLs[t.Leader], client.WithHTTPClient(hc), client.WithToken(t.AdminToken))
	if err != nil {
		return nil, err
	}
	p, err := admin.AddProvider(ctx, fmt.Sprintf("bench %d", time.Now().UnixNano()), 0)
	if err != nil {
		return nil, fmt.Errorf("add provider: %w", err)
	}
	return admin.WithToken(p.Token), nil
}

// issueCodes pre-issues n codes in stacks of 1000.
func issueCodes(ctx context.Context, prov *client.Client, n int) ([]string, error) {
	out := make([]string, 0, n)
	for len(out) < n {
		cnt := min(1000, n-len(out))
		a, err := prov.IssueCodes(ctx, client.AuthorizationRequest{Count: cnt, TTL: "48h"})
		if err != nil {
			return nil, fmt.Errorf("issue codes: %w", err)
		}
		for _, c := range a.Codes {
			out = append(out, c.Code)
		}
	}
	return out, nil
}
