package node

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/tekstore/tekstore/tools/journalgen/workload"
)

// startCluster starts three voters n1 (bootstrapped), n2, n3 and returns
// them with their data directories.
func startCluster(t *testing.T) ([]*Node, []string) {
	t.Helper()
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	n1 := openNode(t, testNodeConfig("n1", dirs[0], "", true))
	waitLeader(t, n1)
	n2 := openNode(t, testNodeConfig("n2", dirs[1], "", false))
	n3 := openNode(t, testNodeConfig("n3", dirs[2], "", false))
	joinVoter(t, n1, n2)
	joinVoter(t, n1, n3)
	return []*Node{n1, n2, n3}, dirs
}

// Drill (a): quorum lost for good. Two of three nodes are gone; `recover`
// turns the survivor into a single-voter cluster keeping all data, and new
// nodes join it.
func TestDrillQuorumLost(t *testing.T) {
	nodes, dirs := startCluster(t)
	fill(t, nodes[0], workload.Options{Submissions: 40, Providers: 2, AuthBatch: 16})
	last := nodes[0].AppliedIndex()
	for _, n := range nodes[1:] {
		waitApplied(t, n, last)
	}
	want := nodes[0].State().Digest()
	for _, n := range nodes {
		if err := n.Close(); err != nil {
			t.Fatalf("close %s: %v", n.ID(), err)
		}
	}
	// n2 and n3 are lost for good.
	for _, d := range dirs[1:] {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}

	res, err := Recover(RecoverOptions{DataDir: dirs[0]})
	if err != nil {
		t.Fatalf("Recover: %v", err)
	}
	if res.ID != "n1" || res.AppliedIndex != last || res.Digest != want {
		t.Fatalf("Recover = %+v, want n1 at %d with digest %s", res, last, want)
	}

	n1 := reopen(t, dirs[0])
	waitLeader(t, n1)
	members, err := n1.Members()
	if err != nil || len(members) != 1 || members[0].ID != "n1" || !members[0].Voter {
		t.Fatalf("members after recover: %+v (%v), want n1 alone", members, err)
	}
	if got := n1.State().Digest(); got != want {
		t.Fatalf("digest after recover %s, want %s", got, want)
	}
	// The new cluster takes writes and new members.
	fill(t, n1, workload.Options{Submissions: 5, Providers: 2, Offset: 40})
	n4 := openNode(t, testNodeConfig("n4", t.TempDir(), "", false))
	joinVoter(t, n1, n4)
	if n4.State().Digest() != n1.State().Digest() {
		t.Fatal("joined node's digest differs from the recovered leader's")
	}
	// The survivor's journal still rebuilds its whole history.
	gaps, err := ReadJournalGaps(journalOf(dirs[0]))
	if err != nil || len(gaps) != 0 {
		t.Fatalf("recovered node's journal has gaps %+v (%v)", gaps, err)
	}
	rb, err := Rebuild(context.Background(), RebuildOptions{JournalDir: journalOf(dirs[0])})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if rb.State.Index() != n1.AppliedIndex() || rb.State.Digest() != n1.State().Digest() {
		t.Fatalf("rebuild of the survivor's journal: index %d, want %d, digests equal %v",
			rb.State.Index(), n1.AppliedIndex(), rb.State.Digest() == n1.State().Digest())
	}
}

func TestRecoverRefuses(t *testing.T) {
	t.Run("no node ever started", func(t *testing.T) {
		if _, err := Recover(RecoverOptions{DataDir: t.TempDir()}); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Recover error %v, want os.ErrNotExist", err)
		}
	})
	t.Run("node still running", func(t *testing.T) {
		dir := t.TempDir()
		n := openNode(t, testNodeConfig("run1", dir, "", true))
		waitLeader(t, n)
		if _, err := Recover(RecoverOptions{DataDir: dir}); !errors.Is(err, ErrNodeRunning) {
			t.Fatalf("Recover error %v, want ErrNodeRunning", err)
		}
	})
}
