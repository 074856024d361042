package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/tekstore/tekstore/client"
)

// Checkpoint measures downloads of the newest export file at a follower,
// then the same load against Go net/http serving the same bytes from
// memory in this process; Extra["ratio"] is tekstore / net/http.
func Checkpoint(ctx context.Context, t *Target, o ReadOptions, sealWait time.Duration) (Result, error) {
	hc := httpClient(o.Concurrency)
	cs, err := t.clients(hc, "")
	if err != nil {
		return Result{}, err
	}
	f := cs[t.Follower]
	deadline := time.Now().Add(sealWait)
	var list client.CheckpointList
	for {
		if list, err = f.Checkpoints(ctx); err == nil && list.Latest > 0 {
			break
		}
		if time.Now().After(deadline) {
			return Result{}, fmt.Errorf("no checkpoint sealed within %s (start the cluster with a short --checkpoint-interval)", sealWait)
		}
		time.Sleep(200 * time.Millisecond)
	}
	url := fmt.Sprintf("%s/v1/checkpoints/%d/export.zip", t.URLs[t.Follower], list.Latest)
	body, err := fetch(ctx, hc, url)
	if err != nil {
		return Result{}, err
	}
	rec, elapsed := runWorkers(ctx, o.Concurrency, o.Duration, o.MaxOps, func(ctx context.Context, w, i int) error {
		_, err := fetchDiscard(ctx, hc, url)
		return err
	})
	r := rec.result("checkpoint", elapsed)

	base, stop, err := serveBytes(body)
	if err != nil {
		return r, err
	}
	defer stop()
	ref, refElapsed := runWorkers(ctx, o.Concurrency, o.Duration, o.MaxOps, func(ctx context.Context, w, i int) error {
		_, err := fetchDiscard(ctx, hc, base)
		return err
	})
	rr := ref.result("net/http", refElapsed)
	r.Extra = map[string]float64{"bytes": float64(len(body)), "nethttpPerSec": rr.Throughput}
	if rr.Throughput > 0 {
		r.Extra["ratio"] = r.Throughput / rr.Throughput
	}
	return r, nil
}

func fetch(ctx context.Context, hc *http.Client, url string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

func fetchDiscard(ctx context.Context, hc *http.Client, url string) (int64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %s", resp.Status)
	}
	return n, err
}

// serveBytes serves b from memory with plain net/http on 127.0.0.1.
func serveBytes(b []byte) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(b)
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/export.zip", func() { _ = srv.Close() }, nil
}
