package faults

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain turns the test binary into a tekstore node when a Cluster
// re-executes it (see IsNodeProcess).
func TestMain(m *testing.M) {
	if IsNodeProcess() {
		os.Exit(NodeMain())
	}
	os.Exit(m.Run())
}

// seed returns the scenario's seed: TEKSTORE_FAULTS_SEED when set (to
// replay a failing schedule), else def.
func seed(t *testing.T, def uint64) uint64 {
	t.Helper()
	if v := os.Getenv("TEKSTORE_FAULTS_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("TEKSTORE_FAULTS_SEED=%q: %v", v, err)
		}
		def = s
	}
	t.Logf("seed %d (replay with TEKSTORE_FAULTS_SEED=%d)", def, def)
	return def
}

// newCluster starts a three-data-center cluster of node processes for a
// test; on failure the tail of every node's log goes to the test log.
func newCluster(t *testing.T, ctx context.Context) *Cluster {
	t.Helper()
	dir := t.TempDir()
	c, err := NewCluster(ctx, Config{Dir: dir, Nodes: ThreeDCs(), Timing: TestTiming, Logf: t.Logf})
	if err != nil {
		dumpLogs(t, dir)
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("stop cluster: %v", err)
		}
		if t.Failed() {
			dumpLogs(t, dir)
		}
	})
	return c
}

// dumpLogs logs the last lines of every node log in dir.
func dumpLogs(t *testing.T, dir string) {
	logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	for _, p := range logs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		t.Logf("--- last lines of %s:\n%s", filepath.Base(p), strings.Join(lines[max(0, len(lines)-40):], "\n"))
	}
}

// runScenario runs s on c and fails the test on any check that failed.
func runScenario(t *testing.T, ctx context.Context, c *Cluster, s Scenario) *Run {
	t.Helper()
	s.OutDir = t.TempDir()
	r, err := RunScenario(ctx, c, s)
	if r != nil {
		t.Logf("summary:\n%s", r.Summary)
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if err := r.Verdict.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

// testContext bounds a whole scenario test.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
