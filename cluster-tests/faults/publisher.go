package faults

import (
	"context"
	"errors"
	"math/rand/v2"
	"syscall"
	"time"

	"github.com/tekstore/tekstore/client"
	"github.com/tekstore/tekstore/cluster-tests/history"
)

// publisher uploads keys with pre-issued codes until ctx ends.
func (w *Workload) publisher(ctx context.Context, id int) {
	rng := w.rng(id)
	for {
		var code string
		select {
		case <-ctx.Done():
			return
		case code = <-w.codes:
		}
		keys := newKeys(rng, time.Now())
		if sub, ok := w.publish(ctx, id, rng, code, keys); ok && rng.IntN(w.cfg.RevokeOneIn) == 0 {
			select {
			case w.subs <- sub:
			default: // the revokers are behind: keep this one
			}
		}
		if !sleep(ctx, w.cfg.PublishPause) {
			return
		}
	}
}

// publish is one logical upload: the same request is retried, rotating
// through the members as an app behind a load balancer would, after a
// timeout, a reset connection, a 429 or a 5xx, until OpDeadline. It is
// recorded as one operation from the first attempt's call to the last
// attempt's return. Writes in flight when ctx ends still finish.
func (w *Workload) publish(ctx context.Context, id int, rng *rand.Rand, code string, keys []client.Key) (submission, bool) {
	hkeys := historyKeys(keys)
	w.mu.Lock()
	for _, k := range hkeys {
		w.sent[k] = struct{}{}
	}
	w.mu.Unlock()
	members := w.c.Members()
	start := rng.IntN(len(members))
	op := w.rec.Begin(id, history.KindPublish, history.Input{Node: members[start], Keys: hkeys})
	deadline := time.Now().Add(w.cfg.OpDeadline)
	ambiguous := false
	req := client.PublishRequest{Code: code, Keys: keys}
	for attempt := 0; ; attempt++ {
		node := members[(start+attempt)%len(members)]
		t0 := w.rec.Now()
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.AttemptTimeout)
		res, err := w.c.Client(node, "", w.cfg.AttemptTimeout).Publish(actx, req)
		cancel()
		w.mu.Lock()
		w.attempts = append(w.attempts, pubAttempt{start: t0, end: w.rec.Now(), ok: err == nil})
		w.mu.Unlock()
		if err == nil {
			op.Ok(history.Output{Seq: res.Seq})
			w.noteSeq(res.Seq)
			w.count("publish_ok")
			if attempt > 0 {
				w.count("publish_retried")
			}
			return submission{id: res.Submission, token: res.RevisionToken, keys: keys}, true
		}
		if definite(err) {
			// A 4xx: the request was refused. After an earlier attempt that
			// may have applied, the outcome stays unknown.
			w.finish(op, "publish", err, ambiguous)
			return submission{}, false
		}
		if !refused(err) {
			ambiguous = true
		}
		if time.Now().After(deadline) {
			w.finish(op, "publish", err, ambiguous)
			return submission{}, false
		}
		time.Sleep(backoff(rng, attempt))
	}
}

// finish records a write that did not get a confirmation.
func (w *Workload) finish(op *history.Pending, kind string, err error, ambiguous bool) {
	if ambiguous {
		op.Unknown(err)
		w.count(kind + "_unknown")
		return
	}
	op.Fail(err)
	code := "other"
	var ae *client.APIError
	if errors.As(err, &ae) {
		code = ae.Code
	}
	w.count(kind + "_failed_" + code)
}

// definite reports an answer that certainly had no effect: a 4xx other
// than 429.
func definite(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != 429
}

// refused reports a connection the node's host refused: nothing was sent.
func refused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// backoff is the pause before retry attempt+1: 100 ms doubling to 1 s,
// with jitter.
func backoff(rng *rand.Rand, attempt int) time.Duration {
	d := min(100*time.Millisecond<<min(attempt, 4), time.Second)
	return d/2 + time.Duration(rng.Int64N(int64(d)))
}
