// Command soak runs tekstore's fault-injection workload for a long time:
// a cluster of node processes on 127.0.0.1 behind fault proxies, with 40 ms
// +- 10 ms between data centers, concurrent publishers, revokers and
// readers, and a nemesis injecting network and process faults. The run is
// cut into epochs; each ends by healing, waiting for a quiet cluster and
// checking the epoch's history (cluster-tests/faults.Verify), and the
// confirmed writes of all epochs are checked against the final state
// after each one. It prints a summary and exits 1 when any check failed.
//
//	go run ./tools/soak -duration 30m -out soak-out
//
// The binary re-executes itself as the cluster's nodes (faults.NodeMain).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tekstore/tekstore/cluster-tests/faults"
)

func main() {
	if faults.IsNodeProcess() {
		os.Exit(faults.NodeMain())
	}
	var o options
	flag.DurationVar(&o.duration, "duration", 30*time.Minute, "total time of faulty workload (healing and checks come on top)")
	flag.DurationVar(&o.epoch, "epoch", 3*time.Minute, "length of one epoch (checked on its own)")
	flag.StringVar(&o.out, "out", "", "output directory (default soak-out/<start time>)")
	flag.Uint64Var(&o.seed, "seed", 0, "seed of the schedule and the workload (default: from the clock, printed)")
	flag.IntVar(&o.nodes, "nodes", 5, "initial voters: 3 (one per data center) or 5 (2+2+1)")
	flag.StringVar(&o.logLevel, "log-level", "warn", "log level of the nodes (their logs go to OUT/cluster/ID.log)")
	flag.Parse()
	if o.seed == 0 {
		o.seed = uint64(time.Now().UnixNano())
	}
	if o.out == "" {
		o.out = filepath.Join("soak-out", time.Now().UTC().Format("20060102-150405"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		if errors.Is(err, errChecksFailed) {
			os.Exit(1)
		}
		os.Exit(2)
	}
}
