package faults

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tekstore/tekstore/cluster-tests/history"
)

// Scenario is one run of workload and nemesis against a cluster.
type Scenario struct {
	// Duration of the faulty period (workload and nemesis together).
	Duration time.Duration
	Workload WorkloadConfig
	Nemesis  NemesisConfig
	// OutDir receives the linearizability visualisation on failure.
	OutDir string
}

// Run is a finished scenario.
type Run struct {
	Workload *Workload
	Nemesis  *Nemesis
	Verdict  *Verdict
	Summary  Summary
}

// RunScenario runs the workload and the nemesis together for s.Duration,
// lets writes in flight finish, then verifies (see Verify). The error is
// about the harness (the cluster never healed, ...); check results are in
// Run.Verdict.
func RunScenario(ctx context.Context, c *Cluster, s Scenario) (*Run, error) {
	rec := history.NewRecorder()
	w, err := NewWorkload(ctx, c, rec, s.Workload)
	if err != nil {
		return nil, err
	}
	n := NewNemesis(c, s.Nemesis, func() time.Duration { return time.Duration(rec.Now()) })
	runCtx, cancel := context.WithTimeout(ctx, s.Duration)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		n.Run(runCtx)
	}()
	w.Run(runCtx)
	wg.Wait()
	r := &Run{Workload: w, Nemesis: n}
	if ctx.Err() != nil {
		return r, fmt.Errorf("scenario interrupted: %w", ctx.Err())
	}
	r.Verdict, err = Verify(ctx, c, w, VerifyOptions{OutDir: s.OutDir})
	r.Summary = Summarize(w, n, r.Verdict)
	if err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	return r, nil
}
