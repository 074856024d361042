package bench

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/tekstore/tekstore/client"
)

// PublishOptions configure the publish scenario.
type PublishOptions struct {
	Concurrency    int
	Duration       time.Duration
	MaxOps         int // also the number of codes pre-issued
	KeysPerPublish int
	AllNodes       bool // spread uploads over every node (else the leader only)
}

// Publish measures uploads with pre-issued codes.
func Publish(ctx context.Context, t *Target, o PublishOptions) (Result, error) {
	hc := httpClient(o.Concurrency)
	prov, err := t.provider(ctx, hc)
	if err != nil {
		return Result{}, err
	}
	codes, err := issueCodes(ctx, prov, o.MaxOps)
	if err != nil {
		return Result{}, err
	}
	cs, err := t.clients(hc, "")
	if err != nil {
		return Result{}, err
	}
	// Bodies are encoded before the clock starts: the generator shares the
	// CPU with the nodes it measures.
	now := time.Now()
	bodies := make([]client.EncodedPublish, len(codes))
	for i := range bodies {
		if bodies[i], err = client.EncodePublish(client.PublishRequest{Code: codes[i], Keys: upload(o.KeysPerPublish, now)}); err != nil {
			return Result{}, err
		}
	}
	var retries atomic.Int64
	rec, elapsed := runWorkers(ctx, o.Concurrency, o.Duration, len(codes), func(ctx context.Context, w, i int) error {
		c := cs[t.Leader]
		if o.AllNodes {
			c = cs[i%len(cs)]
		}
		res, err := publishRetrying(ctx, c, bodies[i], &retries)
		if err == nil && res.Inserted != o.KeysPerPublish {
			err = fmt.Errorf("inserted %d of %d keys", res.Inserted, o.KeysPerPublish)
		}
		return err
	})
	r := rec.result("publish", elapsed)
	r.Extra = map[string]float64{"keysPerSec": r.Throughput * float64(o.KeysPerPublish), "concurrency": float64(o.Concurrency),
		"retries": float64(retries.Load())}
	return r, nil
}

// publishAttempts bounds the retries of one upload, as an app would.
const publishAttempts = 5

// publishRetrying sends an upload and, like a real app, sends the same
// request again after a 503 or 429 (Retry-After, at most a second here);
// an identical retry is answered idempotently by the server.
func publishRetrying(ctx context.Context, c *client.Client, body client.EncodedPublish, retries *atomic.Int64) (client.PublishResult, error) {
	for attempt := 1; ; attempt++ {
		res, err := c.PublishEncoded(ctx, body)
		var ae *client.APIError
		if err == nil || attempt == publishAttempts || !errors.As(err, &ae) || !ae.Temporary() {
			return res, err
		}
		retries.Add(1)
		wait := min(max(ae.RetryAfter, 100*time.Millisecond), time.Second)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return res, err
		}
	}
}

// Fill loads about n keys as fast as it can (14 per upload, all nodes).
func Fill(ctx context.Context, t *Target, n, conc int, limit time.Duration) (Result, error) {
	ops := (n + 13) / 14
	r, err := Publish(ctx, t, PublishOptions{Concurrency: conc, Duration: limit, MaxOps: ops, KeysPerPublish: 14, AllNodes: true})
	r.Scenario = "fill"
	if r.Extra == nil {
		r.Extra = map[string]float64{}
	}
	r.Extra["keys"] = float64(r.Ops * 14)
	return r, err
}
