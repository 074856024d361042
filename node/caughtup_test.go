package node

import (
	"context"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
)

// TestRestartedLeaderCaughtUpOnlyAfterItsLog: a single node restarted on
// its own log (no snapshot) does not apply that log until it commits an
// entry as leader; it must not report caught up (ready) before it has, or
// a reader would miss committed writes. `tekstore dev` once created a
// second demo provider this way.
func TestRestartedLeaderCaughtUpOnlyAfterItsLog(t *testing.T) {
	dir := t.TempDir()
	cfg := testNodeConfig("n1", dir, "", true)
	cfg.SnapshotThreshold, cfg.SnapshotInterval = 1<<30, time.Hour
	n, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	waitLeader(t, n)
	res, err := n.Propose(context.Background(), fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER,
		&fsmpb.CreateProvider{Id: "p_1", Name: "P", TokenHash: make([]byte, 32)})
	if err != nil || res.Err != nil {
		t.Fatalf("create provider: %v %v", err, res.Err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	n = reopen(t, dir)
	deadline := time.Now().Add(testWait)
	for !n.CaughtUp() {
		if time.Now().After(deadline) {
			t.Fatal("restarted node never caught up")
		}
		time.Sleep(time.Millisecond)
	}
	if got := n.State().Index(); got < res.Seq {
		t.Fatalf("caught up at applied index %d, before the provider created at %d", got, res.Seq)
	}
	if _, err := n.State().Provider("p_1"); err != nil {
		t.Fatalf("caught up without the provider: %v", err)
	}
}
