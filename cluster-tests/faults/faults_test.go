package faults

import (
	"testing"
	"time"
)

// scenarioLength is the faulty period of each short scenario.
const scenarioLength = 20 * time.Second

// TestLeaderKillAndPartitionsWithLatency: 40 ms +- 10 ms between the three
// data centers; the leader is killed with SIGKILL and restarted, the
// leader or a follower is isolated, and the cluster is split with the
// leader on the minority or the majority side.
func TestLeaderKillAndPartitionsWithLatency(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	r := runScenario(t, ctx, c, Scenario{
		Duration: scenarioLength,
		Workload: WorkloadConfig{Seed: seed(t, 1)},
		Nemesis: NemesisConfig{Seed: seed(t, 1), InTurn: true, MinGap: 500 * time.Millisecond, MaxGap: 1500 * time.Millisecond,
			MinHold: 2 * time.Second, MaxHold: 3 * time.Second, Kinds: []FaultKind{
				FaultKillLeader, FaultSplitLeaderMinority, FaultIsolateFollower,
				FaultSplitLeaderMajority, FaultIsolateLeader,
			}},
	})
	requireWrites(t, r)
	if f := r.Summary.Faults; f[FaultKillLeader] == 0 || f[FaultSplitLeaderMinority] == 0 {
		t.Fatalf("the leader kill or the split did not happen: %v", f)
	}
	if _, ok := r.Summary.LongestUnavailability(); !ok {
		t.Fatal("no write unavailability measured after the leader kill")
	}
}

// TestFollowerPauseBandwidthAndResets: SIGSTOP of a follower (and of the
// leader) for 5 s, bandwidth caps, black holes and connection resets.
func TestFollowerPauseBandwidthAndResets(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	r := runScenario(t, ctx, c, Scenario{
		Duration: scenarioLength,
		Workload: WorkloadConfig{Seed: seed(t, 2)},
		Nemesis: NemesisConfig{Seed: seed(t, 2), InTurn: true, MinGap: 500 * time.Millisecond, MaxGap: 1500 * time.Millisecond,
			MinHold: 2 * time.Second, MaxHold: 3 * time.Second, Kinds: []FaultKind{
				FaultPauseFollower, FaultBandwidth, FaultResetConns, FaultKillFollower,
				FaultBlackholeFollower, FaultPauseLeader,
			}},
	})
	requireWrites(t, r)
	if f := r.Summary.Faults; f[FaultPauseFollower] == 0 || f[FaultBandwidth] == 0 || f[FaultResetConns] == 0 {
		t.Fatalf("SIGSTOP, bandwidth cap or resets did not happen: %v", f)
	}
}

// TestMembershipChangesUnderLoad: a voter and a non-voter are added and
// removed through POST/DELETE /v1/cluster/nodes while clients write and
// read, with a follower isolated now and then.
func TestMembershipChangesUnderLoad(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	r := runScenario(t, ctx, c, Scenario{
		Duration: scenarioLength + 5*time.Second,
		Workload: WorkloadConfig{Seed: seed(t, 3)},
		Nemesis: NemesisConfig{Seed: seed(t, 3), InTurn: true, MinHold: 2 * time.Second, MaxHold: 4 * time.Second, Kinds: []FaultKind{
			FaultAddRemoveVoter, FaultIsolateFollower, FaultAddRemoveNonVoter,
		}},
	})
	requireWrites(t, r)
	if f := r.Summary.Faults; f[FaultAddRemoveVoter] == 0 || f[FaultAddRemoveNonVoter] == 0 {
		t.Fatalf("no membership change happened: %v", f)
	}
}

// requireWrites fails a run whose workload confirmed too little to mean
// anything.
func requireWrites(t *testing.T, r *Run) {
	t.Helper()
	if got := r.Summary.Ops["publish_ok"]; got < 50 {
		t.Fatalf("only %d confirmed publishes: the run proves nothing", got)
	}
	if got := r.Summary.Ops["read_ok"]; got < 50 {
		t.Fatalf("only %d successful reads", got)
	}
}
