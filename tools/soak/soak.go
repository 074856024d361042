package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tekstore/tekstore/cluster-tests/faults"
	"github.com/tekstore/tekstore/cluster-tests/history"
)

// errChecksFailed: at least one checker failed (exit status 1).
var errChecksFailed = errors.New("checks failed")

// options are the command-line flags.
type options struct {
	duration, epoch time.Duration
	out             string
	seed            uint64
	nodes           int
	logLevel        string
}

// run starts the cluster and runs epochs until the duration is spent.
func run(ctx context.Context, o options) error {
	if o.nodes != 3 && o.nodes != 5 {
		return fmt.Errorf("-nodes must be 3 or 5, not %d", o.nodes)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", o.out, err)
	}
	logFile, err := os.Create(filepath.Join(o.out, "events.log"))
	if err != nil {
		return fmt.Errorf("create event log: %w", err)
	}
	defer logFile.Close()
	var logMu sync.Mutex
	logw := io.MultiWriter(os.Stdout, logFile)
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(logw, "%s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05.000")}, args...)...)
	}
	nodes := faults.FiveNodesThreeDCs()
	if o.nodes == 3 {
		nodes = faults.ThreeDCs()
	}
	logf("soak: seed %d, %d voters in 3 data centers, %v in epochs of %v, output in %s", o.seed, o.nodes, o.duration, o.epoch, o.out)
	c, err := faults.NewCluster(ctx, faults.Config{Dir: filepath.Join(o.out, "cluster"), Nodes: nodes,
		Timing: soakTiming, LogLevel: o.logLevel, Logf: logf})
	if err != nil {
		return err
	}
	defer func() {
		if err := c.Close(); err != nil {
			logf("stop cluster: %v", err)
		}
	}()

	t := newTotals()
	start := time.Now()
	for epoch := 1; time.Since(start) < o.duration && ctx.Err() == nil; epoch++ {
		length := min(o.epoch, o.duration-time.Since(start))
		if length < 30*time.Second && epoch > 1 {
			break
		}
		logf("epoch %d: %v of faults and load", epoch, length)
		r, err := faults.RunScenario(ctx, c, faults.Scenario{
			Duration: length,
			Workload: faults.WorkloadConfig{Seed: o.seed + uint64(epoch), Publishers: 4, PublishPause: 100 * time.Millisecond,
				ReadPause: 500 * time.Millisecond, ReadLimit: 2000, OpDeadline: 60 * time.Second, Exclude: t.sent},
			Nemesis: faults.NemesisConfig{Seed: o.seed + uint64(epoch), MinGap: 2 * time.Second, MaxGap: 6 * time.Second,
				MinHold: 3 * time.Second, MaxHold: 10 * time.Second},
			OutDir: filepath.Join(o.out, fmt.Sprintf("epoch-%d", epoch)),
		})
		if r != nil && r.Verdict != nil {
			if err := os.MkdirAll(filepath.Join(o.out, fmt.Sprintf("epoch-%d", epoch)), 0o755); err == nil {
				// (the visualisation, if any, was written there by Verify)
			}
			logf("epoch %d summary:\n%s", epoch, r.Summary)
		}
		if err != nil {
			t.anomalies = append(t.anomalies, fmt.Sprintf("epoch %d: %v", epoch, err))
			logf("epoch %d: %v", epoch, err)
			if r == nil || r.Verdict == nil {
				break
			}
		}
		t.add(epoch, r)
		if err := t.checkAllEpochs(r.Verdict); err != nil {
			t.anomalies = append(t.anomalies, fmt.Sprintf("after epoch %d, over all epochs: %v", epoch, err))
			logf("after epoch %d, over all epochs: %v", epoch, err)
		}
	}
	report := t.report(time.Since(start))
	logf("soak summary (seed %d):\n%s", o.seed, report)
	if err := os.WriteFile(filepath.Join(o.out, "summary.txt"), []byte(report), 0o644); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if len(t.anomalies) > 0 || t.failed > 0 {
		return fmt.Errorf("%w: see %s", errChecksFailed, filepath.Join(o.out, "summary.txt"))
	}
	return nil
}

// soakTiming is the product's default Raft timing, with snapshots often
// enough that restarted nodes regularly catch up by snapshot installation.
var soakTiming = faults.Timing{SnapshotThreshold: 2048, SnapshotInterval: 10 * time.Second, TrailingLogs: 1024,
	CheckpointInterval: time.Minute}

// checkAllEpochs checks the confirmed writes of every epoch so far against
// the whole final set: nothing confirmed earlier was lost since, and the
// set holds nothing that no one sent.
func (t *totals) checkAllEpochs(v *faults.Verdict) error {
	return errors.Join(history.CheckNoLostPublish(t.writes, v.FinalAll), history.CheckNoPhantomKeys(t.writes, v.FinalAll))
}
