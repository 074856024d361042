// Command journalgen writes a synthetic event journal straight to disk (no
// HTTP, no Raft): providers, authorization batches and N publishes of K keys
// each, encoded exactly as the leader encodes commands. It exists to measure
// `tekstore rebuild` and the journal's size:
//
//	go run ./tools/journalgen --out /tmp/j --submissions 1000000
//	tekstore rebuild --journal /tmp/j --out /tmp/rebuilt.snap
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tekstore/tekstore/journal"
	"github.com/tekstore/tekstore/tools/journalgen/workload"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "journalgen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("journalgen", flag.ContinueOnError)
	out := fs.String("out", "", "journal directory to create (must not exist)")
	opts := workload.Options{}
	fs.IntVar(&opts.Submissions, "submissions", 1_000_000, "number of publishes")
	fs.IntVar(&opts.KeysPerSubmission, "keys", workload.DefaultKeysPerSubmission, "keys per publish (1..14)")
	fs.IntVar(&opts.Providers, "providers", workload.DefaultProviders, "number of providers")
	fs.IntVar(&opts.AuthBatch, "auth-batch", workload.DefaultAuthBatch, "codes per authorization command")
	fs.IntVar(&opts.SealEvery, "seal-every", 10_000, "publishes between checkpoint seals (0: none)")
	fs.Uint64Var(&opts.Seed, "seed", 1, "seed of the key bytes")
	start := fs.String("start", "2026-03-02T00:10:00Z", "leader time of the first command (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	t, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		return fmt.Errorf("--start: %w", err)
	}
	opts.Start = t
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists; journalgen writes a new journal", *out)
	}
	began := time.Now()
	w, err := journal.Open(*out, journal.Options{})
	if err != nil {
		return err
	}
	var index uint64 = 2 // 1: bootstrap configuration, 2: first leader's no-op
	err = workload.Generate(opts, func(c workload.Command) error {
		data, err := c.Encode()
		if err != nil {
			return err
		}
		index++
		return w.Append(index, 1, data)
	})
	if err == nil {
		err = w.Sync()
	}
	size := w.SizeBytes()
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d records (index 3..%d), %d bytes (%.1f MiB) in %s\n",
		*out, index-2, index, size, float64(size)/(1<<20), time.Since(began).Round(time.Millisecond))
	return nil
}
