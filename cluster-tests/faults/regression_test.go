package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tekstore/tekstore/client"
	"github.com/tekstore/tekstore/cluster-tests/history"
)

// laggingFollower starts a cluster and a workload (a provider), and cuts a
// follower's Raft links so that it stops applying the log while it still
// serves clients and forwards over HTTP, as a follower that restarted or
// was isolated does in the fault runs. Heal with c.Heal.
func laggingFollower(t *testing.T) (ctx context.Context, c *Cluster, w *Workload, leader, follower string) {
	t.Helper()
	ctx = testContext(t)
	c = newCluster(t, ctx)
	w, err := NewWorkload(ctx, c, history.NewRecorder(), WorkloadConfig{Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if leader, err = c.WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	follower = slices.DeleteFunc(c.Members(), func(id string) bool { return id == leader })[0]
	return ctx, c, w, leader, follower
}

// isolateAndWait cuts the follower's Raft links and waits until the
// follower itself reports it is no longer in sync (GET /v1/cluster/local):
// a follower that heard from the leader within the last few milliseconds
// rightly refuses unknown codes locally.
func isolateAndWait(t *testing.T, ctx context.Context, c *Cluster, follower string) {
	t.Helper()
	if err := c.IsolateRaft(follower); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var local struct {
			InSync bool `json:"inSync"`
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.URL(follower)+"/v1/cluster/local", nil)
		req.Header.Set("Authorization", "Bearer "+AdminToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			err = json.NewDecoder(resp.Body).Decode(&local)
			resp.Body.Close()
			if err == nil && !local.InSync {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still reports inSync after its Raft links were cut", follower)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// publishOn issues a code on issuer and publishes keys drawn from seed
// with it on node.
func publishOn(ctx context.Context, c *Cluster, w *Workload, seed int, issuer, node string) ([]client.Key, client.PublishResult, error) {
	issued, err := c.Client(issuer, w.provToken, 10*time.Second).IssueCodes(ctx, client.AuthorizationRequest{Count: 1, TTL: "1h"})
	if err != nil {
		return nil, client.PublishResult{}, fmt.Errorf("issue a code on %s: %w", issuer, err)
	}
	keys := newKeys(w.rng(seed), time.Now())
	res, err := c.Client(node, "", 10*time.Second).Publish(ctx, client.PublishRequest{Code: issued.Codes[0].Code, Keys: keys})
	return keys, res, err
}

// TestRegressionFreshCodeOnLaggingFollower: a provider issues a code and
// the patient uploads at once through a follower that has not applied the
// issuance yet. The follower used to refuse the upload with 403
// code_invalid from its local state, a final answer for the app: the
// patient's confirmed code was useless. Now it relays an unknown code to
// the leader, which knows every issued code.
func TestRegressionFreshCodeOnLaggingFollower(t *testing.T) {
	ctx, c, w, leader, follower := laggingFollower(t)
	isolateAndWait(t, ctx, c, follower)
	keys, res, err := publishOn(ctx, c, w, 1, leader, follower)
	if err != nil {
		t.Fatalf("publish with a fresh code through lagging follower %s: %v", follower, err)
	}
	c.Heal()
	if _, err := c.WaitQuiet(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	d, err := c.Client(follower, "", 10*time.Second).Keys(ctx, client.KeysQuery{MinIndex: res.Seq})
	if err != nil {
		t.Fatalf("read from %s after healing: %v", follower, err)
	}
	got := historyKeys(d.Keys)
	for _, k := range historyKeys(keys) {
		if !slices.Contains(got, k) {
			t.Fatalf("%s does not serve %v after healing (seq %d)", follower, k, res.Seq)
		}
	}
}

// TestRegressionRevokeOnLaggingFollower: the app (revisionToken) and the
// provider (rollback) take back an upload confirmed moments ago, through a
// follower that has not applied it yet. The follower used to answer 404
// not_found (unknown revisionToken, unknown submission), and a provider
// token created after the follower fell behind got 401 unauthenticated on
// writes. Now each is relayed to the leader and succeeds.
func TestRegressionRevokeOnLaggingFollower(t *testing.T) {
	ctx, c, w, leader, follower := laggingFollower(t)
	isolateAndWait(t, ctx, c, follower)
	_, byToken, err := publishOn(ctx, c, w, 1, leader, leader)
	if err != nil {
		t.Fatal(err)
	}
	_, byProvider, err := publishOn(ctx, c, w, 2, leader, leader)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := c.Client(leader, AdminToken, 10*time.Second).AddProvider(ctx, "fresh provider", 100)
	if err != nil {
		t.Fatal(err)
	}
	on := func(token string) *client.Client { return c.Client(follower, token, 10*time.Second) }
	if r, err := on("").RevokePublish(ctx, byToken.RevisionToken); err != nil || r.Revoked == 0 {
		t.Errorf("revisionToken de-registration through lagging follower %s: %+v, %v", follower, r, err)
	}
	if r, err := on(w.provToken).RollbackSubmission(ctx, byProvider.Submission, "regression"); err != nil || r.Revoked == 0 {
		t.Errorf("rollback through lagging follower %s: %+v, %v", follower, r, err)
	}
	if _, err := on(fresh.Token).IssueCodes(ctx, client.AuthorizationRequest{Count: 1, TTL: "1h"}); err != nil {
		t.Errorf("codes issued with a new provider's token through lagging follower %s: %v", follower, err)
	}
	c.Heal()
	if _, err := c.WaitQuiet(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
}
