package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tekstore/tekstore/cluster-tests/faults"
	"github.com/tekstore/tekstore/cluster-tests/history"
)

// totals accumulates the figures of all epochs.
type totals struct {
	epochs    int
	ops       map[string]int
	faults    map[faults.FaultKind]int
	checks    map[string][2]int // name -> passed, run
	failed    int
	gaps      []faults.Unavailability
	latencies []time.Duration // confirmed publishes, retries included
	attempts  []time.Duration // P50/P99 of single requests, per epoch
	writes    []history.Op    // confirmed or possible writes of all epochs
	sent      map[history.Key]struct{}
	anomalies []string
	histOps   int
}

func newTotals() *totals {
	return &totals{ops: make(map[string]int), faults: make(map[faults.FaultKind]int),
		checks: make(map[string][2]int), sent: make(map[history.Key]struct{})}
}

// add folds one epoch in.
func (t *totals) add(epoch int, r *faults.Run) {
	t.epochs++
	s := r.Summary
	for k, v := range s.Ops {
		t.ops[k] += v
	}
	for k, v := range s.Faults {
		t.faults[k] += v
	}
	t.gaps = append(t.gaps, s.Unavailability...)
	t.attempts = append(t.attempts, s.AttemptP50, s.AttemptP99)
	for _, c := range r.Verdict.Checks {
		pr := t.checks[c.Name]
		pr[1]++
		if c.Err == nil {
			pr[0]++
		} else {
			t.failed++
			t.anomalies = append(t.anomalies, fmt.Sprintf("epoch %d: %s: %v", epoch, c.Name, c.Err))
		}
		t.checks[c.Name] = pr
	}
	ops := r.Workload.Recorder().Ops()
	t.histOps += len(ops)
	for _, op := range ops {
		if op.Kind == history.KindRead {
			continue
		}
		if op.MayHaveTakenEffect() {
			t.writes = append(t.writes, op)
		}
		if op.Kind == history.KindPublish && op.Succeeded() {
			t.latencies = append(t.latencies, time.Duration(op.Return-op.Call))
		}
	}
	for k := range r.Workload.Sent() {
		t.sent[k] = struct{}{}
	}
}

// report formats the soak's summary.
func (t *totals) report(elapsed time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "elapsed %v, %d epochs, %d recorded operations\n", elapsed.Round(time.Second), t.epochs, t.histOps)
	fmt.Fprintf(&b, "operations run by kind:\n")
	for _, k := range slices.Sorted(maps.Keys(t.ops)) {
		fmt.Fprintf(&b, "  %-22s %d\n", k, t.ops[k])
	}
	fmt.Fprintf(&b, "faults injected by kind:\n")
	total := 0
	for _, k := range slices.Sorted(maps.Keys(t.faults)) {
		fmt.Fprintf(&b, "  %-26s %d\n", k, t.faults[k])
		total += t.faults[k]
	}
	fmt.Fprintf(&b, "  %-26s %d\n", "total", total)
	fmt.Fprintf(&b, "checks passed:\n")
	for _, k := range slices.Sorted(maps.Keys(t.checks)) {
		fmt.Fprintf(&b, "  %-32s %d/%d epochs\n", k, t.checks[k][0], t.checks[k][1])
	}
	var longest time.Duration
	open := false
	for _, g := range t.gaps {
		if g.Gap > longest {
			longest, open = g.Gap, g.Open
		}
	}
	suffix := ""
	if open {
		suffix = " (lower bound: no write succeeded before the epoch ended)"
	}
	fmt.Fprintf(&b, "leader kills: %d; longest write unavailability after one: %v%s\n", len(t.gaps), longest.Round(time.Millisecond), suffix)
	fmt.Fprintf(&b, "publish latency, 40 ms +- 10 ms between data centers (confirmed, retries included, %d publishes): p50 %v, p99 %v\n",
		len(t.latencies), faults.Quantile(t.latencies, 0.5).Round(time.Millisecond), faults.Quantile(t.latencies, 0.99).Round(time.Millisecond))
	fmt.Fprintf(&b, "anomalies: %d\n", len(t.anomalies))
	for _, a := range t.anomalies {
		fmt.Fprintf(&b, "  - %s\n", a)
	}
	return b.String()
}
