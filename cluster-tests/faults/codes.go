package faults

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tekstore/tekstore/client"
)

// codesPerIssue is how many codes one POST /v1/authorizations asks for.
const codesPerIssue = 500

// issueCodes issues at least n codes into the pool.
func (w *Workload) issueCodes(ctx context.Context, n int) error {
	for n > 0 {
		var got client.Authorizations
		err := w.retry(ctx, func(cl *client.Client, actx context.Context) error {
			var err error
			got, err = cl.WithToken(w.provToken).IssueCodes(actx, client.AuthorizationRequest{
				Count: min(n, codesPerIssue), TTL: "48h", ReportType: client.ReportConfirmed})
			return err
		})
		if err != nil {
			return fmt.Errorf("issue codes: %w", err)
		}
		w.awaitReplication(ctx, got.Meta.Index)
		for _, c := range got.Codes {
			w.codes <- c.Code
		}
		n -= len(got.Codes)
	}
	return nil
}

// refillCodes keeps the pool of pre-issued codes from running dry.
func (w *Workload) refillCodes(ctx context.Context) {
	for sleep(ctx, 200*time.Millisecond) {
		if len(w.codes) < cap(w.codes)/4 {
			if err := w.issueCodes(ctx, codesPerIssue); err != nil && ctx.Err() == nil {
				w.count("codes_issue_failed")
			}
		}
	}
}

// retry runs an idempotent setup call against the members in turn until it
// succeeds, a 4xx other than 429 answers, or ctx ends.
func (w *Workload) retry(ctx context.Context, call func(cl *client.Client, actx context.Context) error) error {
	rng := rand.New(rand.NewPCG(w.cfg.Seed, 7))
	for attempt := 0; ; attempt++ {
		members := w.c.Members()
		id := members[(attempt+rng.IntN(len(members)))%len(members)]
		actx, cancel := context.WithTimeout(ctx, w.cfg.AttemptTimeout)
		err := call(w.c.Client(id, "", w.cfg.AttemptTimeout), actx)
		cancel()
		if err == nil {
			return nil
		}
		var ae *client.APIError
		if errors.As(err, &ae) && ae.Status < 500 && ae.Status != 429 {
			return err
		}
		if !sleep(ctx, 200*time.Millisecond) {
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		}
	}
}

// awaitReplication gives new codes the moment a real one has before anyone
// types it: each node that is in contact with the leader applies index
// (a min_index read, at most a second per node; nodes that are cut off
// relay unknown codes to the leader anyway).
func (w *Workload) awaitReplication(ctx context.Context, index uint64) {
	if index == 0 {
		return
	}
	for _, id := range w.c.Members() {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, _ = w.c.Client(id, "", 2*time.Second).Keys(rctx, client.KeysQuery{Since: index, Limit: 1, MinIndex: index, Wait: time.Second})
		cancel()
	}
}
