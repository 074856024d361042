package clustertests

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	ct "github.com/tekstore/tekstore/cluster-tests/clustertest"
)

type clusterView struct {
	Leader string `json:"leader"`
	Nodes  []struct {
		ID           string `json:"id"`
		DC           string `json:"dc"`
		HTTPAddr     string `json:"httpAddr"`
		RaftAddr     string `json:"raftAddr"`
		State        string `json:"state"`
		Voter        bool   `json:"voter"`
		Alive        bool   `json:"alive"`
		AppliedIndex uint64 `json:"appliedIndex"`
		LastContact  string `json:"lastContact"`
	} `json:"nodes"`
}

func getCluster(t *testing.T, n *ct.Node) (clusterView, int) {
	t.Helper()
	r, err := ct.Do(http.MethodGet, n.URL()+"/v1/cluster", ct.AdminToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	var v clusterView
	if r.Status == http.StatusOK {
		if err := r.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return v, r.Status
}

// TestJoinAndRemove: a fourth node joins (visible in /v1/cluster with its
// dc, alive, caught up), a repeated join and a repeated removal change
// nothing, and removing the leader hands leadership over first.
func TestJoinAndRemove(t *testing.T) {
	c := ct.NewCluster(t, 3)
	n4 := c.AddNode("n4", "dc4", false)
	f := c.Followers()[0]

	c.WaitFor("/v1/cluster to show 4 live nodes", func() bool {
		v, st := getCluster(t, f)
		if st != http.StatusOK || len(v.Nodes) != 4 || v.Leader == "" {
			return false
		}
		for _, n := range v.Nodes {
			if !n.Alive || !n.Voter || n.State == "unreachable" || n.HTTPAddr == "" {
				return false
			}
		}
		return v.Nodes[3].ID == "n4" && v.Nodes[3].DC == "dc4"
	})

	again := map[string]any{"id": "n4", "raftAddr": n4.Server().RaftAddr(), "httpAddr": n4.URL(), "voter": true}
	c.MustDo(http.StatusOK, http.MethodPost, f.URL()+"/v1/cluster/nodes", ct.AdminToken, again, nil)
	taken := map[string]any{"id": "n9", "raftAddr": n4.Server().RaftAddr(), "voter": true}
	c.MustDo(http.StatusConflict, http.MethodPost, f.URL()+"/v1/cluster/nodes", ct.AdminToken, taken, nil)
	c.MustDo(http.StatusUnauthorized, http.MethodPost, f.URL()+"/v1/cluster/nodes", "tka_wrong", again, nil)
	c.MustDo(http.StatusUnauthorized, http.MethodDelete, f.URL()+"/v1/cluster/nodes/n4", "", nil, nil)
	c.MustDo(http.StatusBadRequest, http.MethodDelete, f.URL()+"/v1/cluster/nodes/n.4", ct.AdminToken, nil, nil)

	c.Kill("n4") // removal works while the node is down
	var rm struct {
		Removed bool `json:"removed"`
	}
	c.MustDo(http.StatusOK, http.MethodDelete, f.URL()+"/v1/cluster/nodes/n4", ct.AdminToken, nil, &rm)
	if !rm.Removed {
		t.Fatal("first removal of n4 reported removed=false")
	}
	c.MustDo(http.StatusOK, http.MethodDelete, f.URL()+"/v1/cluster/nodes/n4", ct.AdminToken, nil, &rm)
	if rm.Removed {
		t.Fatal("second removal of n4 reported removed=true")
	}
	c.WaitFor("n4 to leave the follower's configuration", func() bool {
		r, err := ct.Do(http.MethodGet, f.URL()+"/v1/cluster/nodes/n4", ct.AdminToken, nil)
		return err == nil && r.Status == http.StatusNotFound
	})
	c.Forget("n4")

	old := c.Leader()
	c.MustDo(http.StatusOK, http.MethodDelete, f.URL()+"/v1/cluster/nodes/"+old.ID, ct.AdminToken, nil, &rm)
	if !rm.Removed {
		t.Fatal("removal of the leader reported removed=false")
	}
	leader := c.WaitForNewLeader(old.ID)
	members, err := leader.Node().Members()
	if err != nil || len(members) != 2 {
		t.Fatalf("members after removing the leader: %v %v", members, err)
	}
	c.Kill(old.ID)
	c.Forget(old.ID)
	p := c.NewProvider(leader, "after removals")
	if _, r, err := ct.Publish(leader, c.IssueCodes(leader, p, 1)[0], 7); err != nil || r.Status != http.StatusOK {
		t.Fatalf("publish on the two remaining nodes: %v %d", err, r.Status)
	}
}

// TestNonVoter: a read replica receives every write, serves reads, shows
// as voter=false, and never takes part in an election (no vote request,
// never candidate) while the leader fails over.
func TestNonVoter(t *testing.T) {
	c := ct.NewCluster(t, 3)
	r1 := c.AddNode("r1", "dc9", true)
	obs := make(chan raft.Observation, 256)
	r1.Node().Raft().RegisterObserver(raft.NewObserver(obs, false, func(o *raft.Observation) bool {
		switch o.Data.(type) {
		case raft.RequestVoteRequest, raft.RaftState:
			return true
		}
		return false
	}))

	leader := c.Leader()
	p := c.NewProvider(leader, "GGD Replica")
	codes := c.IssueCodes(leader, p, 2)
	res, r, err := ct.Publish(r1, codes[0], 1) // forwarded by the replica
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("publish at replica: %v %d %s", err, r.Status, r.Body)
	}
	c.MustDo(http.StatusOK, http.MethodGet, r1.URL()+"/v1/keys?since=0&min_index="+itoa(res.Seq), "", nil, nil)

	if _, took := failover(t, c, codes[1], 2); took <= 0 {
		t.Fatal("no failover time")
	}
	if st := r1.Node().Status(); st.Voter || st.State != "follower" {
		t.Fatalf("replica status %+v", st)
	}
	deadline := time.After(50 * time.Millisecond) // drain what the observer already queued
	for {
		select {
		case o := <-obs:
			switch d := o.Data.(type) {
			case raft.RequestVoteRequest:
				t.Fatalf("the non-voter received a vote request from %s", d.ID)
			case raft.RaftState:
				if d == raft.Candidate || d == raft.Leader {
					t.Fatalf("the non-voter became %v", d)
				}
			}
		case <-deadline:
			return
		}
	}
}

func itoa(u uint64) string { return strconv.FormatUint(u, 10) }
