package clustertests

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	ct "github.com/tekstore/tekstore/cluster-tests/clustertest"
)

// TestWritesAnywhere: a publish sent to a follower is forwarded to the
// leader; with ?redirect=true the follower answers 307 to the leader; a
// read with min_index on every node sees the write.
func TestWritesAnywhere(t *testing.T) {
	c := ct.NewCluster(t, 3)
	leader := c.Leader()
	f := c.Followers()[0]
	p := c.NewProvider(f, "GGD Forwarded") // admin write through a follower
	codes := c.IssueCodes(f, p, 2)

	res, r, err := ct.Publish(f, codes[0], 1)
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("publish at follower: %v %d %s", err, r.Status, r.Body)
	}
	if res.Inserted != ct.KeysPerUpload || r.Header.Get("X-Tekstore-Leader") != leader.ID {
		t.Fatalf("forwarded publish: %+v, leader header %q", res, r.Header.Get("X-Tekstore-Leader"))
	}

	red, err := ct.Do(http.MethodPost, f.URL()+"/v1/publish?redirect=true", "", map[string]any{"code": codes[1], "keys": ct.UploadKeys(2)})
	if err != nil {
		t.Fatal(err)
	}
	if want := leader.URL() + "/v1/publish?redirect=true"; red.Status != http.StatusTemporaryRedirect || red.Header.Get("Location") != want {
		t.Fatalf("redirect: %d Location %q, want 307 %q", red.Status, red.Header.Get("Location"), want)
	}

	for _, n := range c.Running() {
		var d struct {
			Keys []map[string]any `json:"keys"`
		}
		r := c.MustDo(http.StatusOK, http.MethodGet, fmt.Sprintf("%s/v1/keys?since=0&min_index=%d", n.URL(), res.Seq), "", nil, &d)
		if len(d.Keys) < ct.KeysPerUpload {
			t.Errorf("%s: read-your-writes saw %d keys, want %d", n.ID, len(d.Keys), ct.KeysPerUpload)
		}
		if got := r.Header.Get("X-Tekstore-Node"); got != n.ID {
			t.Errorf("X-Tekstore-Node = %q, want %s", got, n.ID)
		}
	}
}

// TestNoLeaderAnswer: a write at a node without a leader is 503 no_leader
// with Retry-After.
func TestNoLeaderAnswer(t *testing.T) {
	c := ct.NewCluster(t, 3)
	followers := c.Followers()
	c.Kill(c.Leader().ID)
	c.Kill(followers[1].ID)
	lone := followers[0]
	c.WaitFor("the lone node to lose its leader", func() bool {
		_, _, ok := lone.Node().Leader()
		return !ok
	})
	r, err := ct.Do(http.MethodPost, lone.URL()+"/v1/providers", ct.AdminToken, map[string]any{"name": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "no_leader") || r.Header.Get("Retry-After") == "" {
		t.Fatalf("write without leader: %d %s (Retry-After %q)", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
	ready, err := ct.Do(http.MethodGet, lone.URL()+"/readyz", "", nil)
	if err != nil || ready.Status != http.StatusServiceUnavailable {
		t.Fatalf("readyz without leader: %v %d", err, ready.Status)
	}
	c.Restart(followers[1].ID)
	c.WaitForLeader()
}
