package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/tekstore/tekstore/client"
)

// ReadOptions configure the delta and full scenarios.
type ReadOptions struct {
	Concurrency int
	Duration    time.Duration
	MaxOps      int
	DeltaKeys   int // keys in the delta read (about)
}

// Delta measures since=U reads of about DeltaKeys keys at a follower.
func Delta(ctx context.Context, t *Target, o ReadOptions) (Result, error) {
	hc := httpClient(o.Concurrency)
	prov, err := t.provider(ctx, hc)
	if err != nil {
		return Result{}, err
	}
	cs, err := t.clients(hc, "")
	if err != nil {
		return Result{}, err
	}
	h, err := cs[t.Leader].Healthz(ctx)
	if err != nil {
		return Result{}, err
	}
	since := h.Meta.Index
	n := (o.DeltaKeys + 13) / 14
	codes, err := issueCodes(ctx, prov, n)
	if err != nil {
		return Result{}, err
	}
	var last uint64
	for _, c := range codes {
		res, err := cs[t.Leader].Publish(ctx, client.PublishRequest{Code: c, Keys: upload(14, time.Now())})
		if err != nil {
			return Result{}, fmt.Errorf("seed delta: %w", err)
		}
		last = res.Seq
	}
	f := cs[t.Follower]
	if _, err := f.Keys(ctx, client.KeysQuery{Since: since, MinIndex: last}); err != nil {
		return Result{}, fmt.Errorf("follower catch-up: %w", err)
	}
	got := 0
	rec, elapsed := runWorkers(ctx, o.Concurrency, o.Duration, o.MaxOps, func(ctx context.Context, w, i int) error {
		d, err := f.Keys(ctx, client.KeysQuery{Since: since})
		if err == nil && i == 0 {
			got = len(d.Keys)
		}
		return err
	})
	r := rec.result("delta", elapsed)
	r.Extra = map[string]float64{"keysPerAnswer": float64(got)}
	return r, nil
}

// Full measures since=0 reads (the whole public set) at a follower.
func Full(ctx context.Context, t *Target, o ReadOptions) (Result, error) {
	hc := httpClient(o.Concurrency)
	cs, err := t.clients(hc, "")
	if err != nil {
		return Result{}, err
	}
	f := cs[t.Follower]
	got := 0
	rec, elapsed := runWorkers(ctx, o.Concurrency, o.Duration, o.MaxOps, func(ctx context.Context, w, i int) error {
		d, err := f.Keys(ctx, client.KeysQuery{Since: 0})
		if err == nil && i == 0 {
			got = len(d.Keys)
		}
		return err
	})
	r := rec.result("full", elapsed)
	r.Extra = map[string]float64{"keysPerAnswer": float64(got)}
	return r, nil
}
