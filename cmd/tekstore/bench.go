package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/bench"
)

// benchFlags are the knobs of `tekstore bench`.
type benchFlags struct {
	addrs       string
	adminToken  string
	scenarios   string
	nodes       int
	concurrency int
	duration    time.Duration
	maxOps      int
	keys        int
	deltaKeys   int
	waiters     int
	fillKeys    int
	fillLimit   time.Duration
	jsonOut     bool
	leaderOnly  bool
	keep        bool
}

func init() { rootCmd.AddCommand(newBenchCmd()) }

func newBenchCmd() *cobra.Command {
	f := &benchFlags{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load-test a cluster (a local 3-node cluster by default)",
		Long: `Runs load scenarios through the client library and prints a table
(throughput, p50/p90/p99, errors) or JSON. Scenarios: publish, delta, full,
checkpoint, longpoll, fill, scale. Without --addr it starts a local cluster of
real tekstore processes on 127.0.0.1 and stops it afterwards. Every scenario is
bounded by --duration and --max-ops.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBench(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addrs, "addr", "", "comma-separated node URLs of an existing cluster (default: start a local one)")
	fl.StringVar(&f.adminToken, "admin-token", os.Getenv("TEKSTORE_ADMIN_TOKEN"), "admin token of an existing cluster")
	fl.StringVar(&f.scenarios, "scenario", "publish,delta,full,checkpoint,longpoll", "scenarios to run, comma-separated")
	fl.IntVar(&f.nodes, "nodes", 3, "nodes of the local cluster")
	fl.IntVar(&f.concurrency, "concurrency", 64, "concurrent clients")
	fl.DurationVar(&f.duration, "duration", 10*time.Second, "length of each timed scenario")
	fl.IntVar(&f.maxOps, "max-ops", 200000, "upper bound of operations per scenario (and codes pre-issued for publish)")
	fl.IntVar(&f.keys, "keys", 14, "keys per publish")
	fl.IntVar(&f.deltaKeys, "delta-keys", 100, "keys in the delta read")
	fl.IntVar(&f.waiters, "waiters", 10000, "long-poll waiters")
	fl.IntVar(&f.fillKeys, "fill-keys", 1000000, "keys to load in fill and scale")
	fl.DurationVar(&f.fillLimit, "fill-limit", 10*time.Minute, "time bound of fill")
	fl.BoolVar(&f.jsonOut, "json", false, "print JSON instead of a table")
	fl.BoolVar(&f.leaderOnly, "leader-only", false, "send uploads to the leader only (default: spread over every node)")
	fl.BoolVar(&f.keep, "keep", false, "keep the local cluster's data directory")
	return cmd
}

func runBench(cmd *cobra.Command, f *benchFlags) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var local *bench.Local
	var target *bench.Target
	if f.addrs == "" {
		l, err := bench.StartLocal(ctx, bench.LocalOptions{Nodes: f.nodes})
		if err != nil {
			return fmt.Errorf("start local cluster: %w", err)
		}
		defer func() {
			l.Stop()
			if !f.keep {
				_ = os.RemoveAll(l.Dir())
			}
		}()
		local, target = l, &l.Target
		fmt.Fprintf(cmd.ErrOrStderr(), "local cluster: %s (data %s)\n", strings.Join(l.URLs, " "), l.Dir())
	} else {
		if f.adminToken == "" {
			return errors.New("--admin-token (or TEKSTORE_ADMIN_TOKEN) is needed with --addr")
		}
		target = &bench.Target{URLs: strings.Split(f.addrs, ","), AdminToken: f.adminToken}
		if err := target.Discover(ctx); err != nil {
			return err
		}
	}
	read := bench.ReadOptions{Concurrency: f.concurrency, Duration: f.duration, MaxOps: f.maxOps, DeltaKeys: f.deltaKeys}
	var results []bench.Result
	var runErr error
	for _, sc := range strings.Split(f.scenarios, ",") {
		rs, err := runScenario(ctx, strings.TrimSpace(sc), f, target, local, read)
		results = append(results, rs...)
		if err != nil {
			runErr = fmt.Errorf("scenario %s: %w", sc, err)
			break
		}
	}
	// Print what was measured, also when a later step failed.
	if f.jsonOut {
		if err := bench.PrintJSON(cmd.OutOrStdout(), results); err != nil {
			return err
		}
	} else {
		bench.PrintTable(cmd.OutOrStdout(), results)
	}
	return runErr
}

func runScenario(ctx context.Context, sc string, f *benchFlags, t *bench.Target, l *bench.Local, read bench.ReadOptions) ([]bench.Result, error) {
	one := func(r bench.Result, err error) ([]bench.Result, error) { return []bench.Result{r}, err }
	switch sc {
	case "publish":
		return one(bench.Publish(ctx, t, bench.PublishOptions{Concurrency: f.concurrency, Duration: f.duration,
			MaxOps: f.maxOps, KeysPerPublish: f.keys, AllNodes: !f.leaderOnly}))
	case "delta":
		return one(bench.Delta(ctx, t, read))
	case "full":
		return one(bench.Full(ctx, t, read))
	case "checkpoint":
		return one(bench.Checkpoint(ctx, t, read, 30*time.Second))
	case "longpoll":
		return one(bench.LongPoll(ctx, t, f.waiters, 90*time.Second))
	case "fill":
		return one(bench.Fill(ctx, t, f.fillKeys, f.concurrency, f.fillLimit))
	case "scale":
		if l == nil {
			return nil, errors.New("scale needs the local cluster (no --addr)")
		}
		return bench.Scale(ctx, l, bench.ScaleOptions{Keys: f.fillKeys, Concurrency: f.concurrency, FillLimit: f.fillLimit, Read: read})
	}
	return nil, fmt.Errorf("unknown scenario %q", sc)
}
