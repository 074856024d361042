package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/secrets"
	"github.com/tekstore/tekstore/tools/journalgen/workload"
	"github.com/tekstore/tekstore/transport"
)

const backupTestToken = "admin-token-for-backup-tests"

// backupTestNode starts a single node with some data and its API.
func backupTestNode(t *testing.T, id, dir string) (*node.Node, string) {
	t.Helper()
	n, err := node.Open(node.Config{ID: id, DataDir: dir, RaftBind: "127.0.0.1:0", Bootstrap: true,
		HeartbeatTimeout: 300 * time.Millisecond, ElectionTimeout: 300 * time.Millisecond,
		LeaderLeaseTimeout: 200 * time.Millisecond, CheckpointInterval: time.Hour, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Close() })
	if _, err := n.WaitForLeader(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !n.IsLeader() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	api := transport.New(transport.Config{Store: n, AdminTokenHash: secrets.TokenHash(backupTestToken),
		Pepper: secrets.DerivePepper(backupTestToken), Logger: zerolog.Nop()})
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return n, srv.URL
}

func fillNode(t *testing.T, n *node.Node, subs int) {
	t.Helper()
	err := workload.Generate(workload.Options{Submissions: subs, Providers: 2, AuthBatch: 10}, func(c workload.Command) error {
		res, err := n.Propose(context.Background(), c.Type, c.Payload)
		if err == nil {
			err = res.Err
		}
		return err
	})
	if err != nil {
		t.Fatalf("fill: %v", err)
	}
}

// TestBackupRestoreRebuildCommands drives the operator commands end to
// end: backup over HTTP, restore into a new directory that a node then
// serves with the same digest, and rebuild of the journal.
func TestBackupRestoreRebuildCommands(t *testing.T) {
	srcDir := t.TempDir()
	n, url := backupTestNode(t, "b1", srcDir)
	fillNode(t, n, 12)
	want := n.State().Digest()
	out := filepath.Join(t.TempDir(), "b.snap")

	if _, err := runCmd(t, rootCmd, "backup", "--addr", url, "--token", "wrong", "--out", out); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("backup with a wrong token: %v, want a 401 failure", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed backup created the output file")
	}
	stdout, err := runCmd(t, rootCmd, "backup", "--addr", url, "--token", backupTestToken, "--out", out)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if !strings.Contains(stdout, want) {
		t.Fatalf("backup printed %q, want digest %s", stdout, want)
	}

	dataDir := filepath.Join(t.TempDir(), "restored")
	if stdout, err = runCmd(t, rootCmd, "restore", "--data", dataDir, "--from", out); err != nil || !strings.Contains(stdout, want) {
		t.Fatalf("restore: %q, %v", stdout, err)
	}
	if _, err := runCmd(t, rootCmd, "restore", "--data", srcDir, "--from", out); err == nil {
		t.Fatal("restore into a used data directory succeeded")
	}
	r, err := node.Open(node.Config{ID: "r1", DataDir: dataDir, RaftBind: "127.0.0.1:0",
		HeartbeatTimeout: 300 * time.Millisecond, ElectionTimeout: 300 * time.Millisecond,
		LeaderLeaseTimeout: 200 * time.Millisecond, CheckpointInterval: time.Hour, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatalf("open restored node: %v", err)
	}
	defer r.Close()
	if got := r.State().Digest(); got != want {
		t.Fatalf("restored node digest %s, want %s", got, want)
	}

	rebuilt := filepath.Join(t.TempDir(), "r.snap")
	stdout, err = runCmd(t, rootCmd, "rebuild", "--journal", filepath.Join(srcDir, "journal"), "--out", rebuilt)
	if err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if !strings.Contains(stdout, "digest "+want) || !strings.Contains(stdout, "replayed") {
		t.Fatalf("rebuild printed %q, want digest %s", stdout, want)
	}
}
