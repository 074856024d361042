package bench

import (
	"context"
	"fmt"
	"net/http"
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
	d, err := f.Keys(ctx, client.KeysQuery{Since: since, MinIndex: last})
	if err != nil {
		return Result{}, fmt.Errorf("follower catch-up: %w", err)
	}
	return readLoad(ctx, hc, "delta", fmt.Sprintf("%s/v1/keys?since=%d", t.URLs[t.Follower], since), len(d.Keys), o)
}

// readLoad GETs url from many keep-alive connections, reading and
// discarding each body (the generator shares the CPU with the cluster, so it
// must not spend it decoding JSON the server's figures do not depend on).
func readLoad(ctx context.Context, hc *http.Client, name, url string, keys int, o ReadOptions) (Result, error) {
	var bytes int64
	rec, elapsed := runWorkers(ctx, o.Concurrency, o.Duration, o.MaxOps, func(ctx context.Context, w, i int) error {
		n, err := fetchDiscard(ctx, hc, url)
		if i == 0 {
			bytes = n
		}
		return err
	})
	r := rec.result(name, elapsed)
	r.Extra = map[string]float64{"keysPerAnswer": float64(keys), "bytes": float64(bytes)}
	return r, nil
}

// Full measures since=0 reads (the whole public set) at a follower.
func Full(ctx context.Context, t *Target, o ReadOptions) (Result, error) {
	hc := httpClient(o.Concurrency)
	cs, err := t.clients(hc, "")
	if err != nil {
		return Result{}, err
	}
	d, err := cs[t.Follower].Keys(ctx, client.KeysQuery{Since: 0})
	if err != nil {
		return Result{}, err
	}
	return readLoad(ctx, hc, "full", t.URLs[t.Follower]+"/v1/keys?since=0", len(d.Keys), o)
}
