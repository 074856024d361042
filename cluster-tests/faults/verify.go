package faults

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/tekstore/tekstore/cluster-tests/history"
)

// Check is the outcome of one checker.
type Check struct {
	Name string
	Err  error
}

// Verdict is what Verify found.
type Verdict struct {
	// Index is the applied index every node agreed on at the end.
	Index uint64
	// Final is the public set read from the leader after healing, without
	// the keys of earlier runs (WorkloadConfig.Exclude); FinalAll with them.
	Final, FinalAll []history.Key
	// Digests are the nodes' state digests.
	Digests map[string]NodeDigest
	// Checks are the individual checkers' results, in order.
	Checks []Check
	// All is history.CheckAll's joined result; Linearizable is
	// history.CheckLinearizable's.
	All, Linearizable error
	// Ops is the number of operations checked.
	Ops int
	// CheckTime is how long the checkers took.
	CheckTime time.Duration
}

// Err returns nil when every check passed.
func (v *Verdict) Err() error {
	if v.All != nil || v.Linearizable != nil {
		return fmt.Errorf("faults: checks failed:\n%v\n%v", v.All, v.Linearizable)
	}
	return nil
}

// Passed counts the checks that passed.
func (v *Verdict) Passed() int {
	n := 0
	for _, c := range v.Checks {
		if c.Err == nil {
			n++
		}
	}
	return n
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// OutDir receives linearizability.html when that check fails.
	OutDir string
	// LinearizableTimeout bounds porcupine (default 1 minute).
	LinearizableTimeout time.Duration
}

// Verify ends the faults and checks the history: it heals the network,
// resumes paused nodes, restarts killed members, waits until every member
// has applied the same index, reads the whole set from every member
// (since=0, paging until more=false, min_index = the highest seq seen) and
// records those final reads, compares the members' state digests, and
// runs history.CheckAll and history.CheckLinearizable.
func Verify(ctx context.Context, c *Cluster, w *Workload, opts VerifyOptions) (*Verdict, error) {
	if opts.LinearizableTimeout == 0 {
		opts.LinearizableTimeout = time.Minute
	}
	c.Heal()
	c.ResumeAll()
	if err := c.RestartDead(ctx); err != nil {
		return nil, err
	}
	if _, err := c.WaitForLeader(ctx); err != nil {
		return nil, err
	}
	idx, err := c.WaitQuiet(ctx, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	v := &Verdict{Index: idx}
	minIndex := max(w.MaxSeq(), idx)
	leader := c.Leader(ctx)
	for i, id := range c.Serving() {
		var rep history.Replica
		got := w.read(ctx, finalBase+i, id, &rep, 0, minIndex, finalRead)
		if got < minIndex {
			return nil, fmt.Errorf("final read of %s failed (reached index %d of %d)", id, got, minIndex)
		}
		if id == leader || v.Final == nil {
			v.FinalAll = rep.Keys()
			v.Final = w.filter(rep.Keys())
		}
	}
	if v.Digests, err = c.Digests(ctx, time.Minute); err != nil {
		return nil, err
	}
	digests := make(map[string]string, len(v.Digests))
	for id, d := range v.Digests {
		digests[id] = d.String()
	}

	start := time.Now()
	ops := w.rec.Ops()
	v.Ops = len(ops)
	v.Checks = []Check{
		{"no confirmed publish lost", history.CheckNoLostPublish(ops, v.Final)},
		{"no key present twice", history.CheckNoDuplicateKeys(ops)},
		{"no key that no one sent", history.CheckNoPhantomKeys(ops, v.Final)},
		{"no revoked key reappears", history.CheckNoRevokedReappear(ops)},
		{"min_index honoured", history.CheckMinIndexHonoured(ops)},
		{"all nodes reach the same digest", history.CheckDigestsEqual(digests)},
	}
	v.All = history.CheckAll(ops, v.Final, digests)
	v.Linearizable = history.CheckLinearizable(ops, history.LinearizabilityOptions{
		Timeout: opts.LinearizableTimeout, VisualizationPath: filepath.Join(opts.OutDir, "linearizability.html")})
	v.Checks = append(v.Checks, Check{"linearizable (porcupine)", v.Linearizable})
	v.CheckTime = time.Since(start)
	return v, nil
}
