package faults

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/tekstore/tekstore/client"
	"github.com/tekstore/tekstore/cluster-tests/history"
)

// Revocation kinds, taken in turn by each revoker.
const (
	revokeToken    = iota // POST /v1/publish/revoke with the revisionToken (the app)
	revokeRollback        // POST /v1/submissions/{id}/rollback (the provider)
	revokeKey             // POST /v1/revocations of one key (an admin)
	revokeKinds
)

var revokeNames = [revokeKinds]string{"revoke_token", "rollback", "revoke_key"}

// revoker takes back some confirmed submissions, each once, until ctx ends.
func (w *Workload) revoker(ctx context.Context, id int) {
	rng := w.rng(id)
	for n := 0; ; n++ {
		var sub submission
		select {
		case <-ctx.Done():
			return
		case sub = <-w.subs:
		}
		if !sleep(ctx, time.Duration(rng.Int64N(int64(time.Second)))) {
			return
		}
		w.revoke(ctx, id, rng, sub, n%revokeKinds)
	}
}

// revoke is one logical revocation, retried like a publish. A confirmed
// revocation that revoked nothing (an idempotent repeat) is recorded with
// seq 0, as history.Op requires.
func (w *Workload) revoke(ctx context.Context, id int, rng *rand.Rand, sub submission, kind int) {
	keys := sub.keys
	if kind == revokeKey {
		keys = keys[rng.IntN(len(keys)):][:1]
	}
	members := w.c.Members()
	start := rng.IntN(len(members))
	op := w.rec.Begin(id, history.KindRevoke, history.Input{Node: members[start], Keys: historyKeys(keys)})
	deadline := time.Now().Add(w.cfg.OpDeadline)
	ambiguous := false
	name := revokeNames[kind]
	for attempt := 0; ; attempt++ {
		node := members[(start+attempt)%len(members)]
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.AttemptTimeout)
		var res client.RevokeResult
		var err error
		switch kind {
		case revokeToken:
			res, err = w.c.Client(node, "", w.cfg.AttemptTimeout).RevokePublish(actx, sub.token)
		case revokeRollback:
			res, err = w.c.Client(node, w.provToken, w.cfg.AttemptTimeout).RollbackSubmission(actx, sub.id, "faults test")
		default:
			res, err = w.c.Client(node, AdminToken, w.cfg.AttemptTimeout).Revoke(actx, client.RevocationRequest{
				Keys: []client.KeyRef{keys[0].Ref()}, Reason: "faults test"})
		}
		cancel()
		if err == nil {
			seq := res.Seq
			if res.Revoked == 0 {
				seq = 0
			}
			op.Ok(history.Output{Seq: seq})
			w.noteSeq(res.Seq)
			w.count(name + "_ok")
			return
		}
		if definite(err) {
			w.finish(op, name, err, ambiguous)
			return
		}
		if !refused(err) {
			ambiguous = true
		}
		if time.Now().After(deadline) {
			w.finish(op, name, err, ambiguous)
			return
		}
		time.Sleep(backoff(rng, attempt))
	}
}
