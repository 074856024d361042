package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/node"
)

func init() {
	var (
		opts     node.RecoverOptions
		logLevel string
	)
	cmd := &cobra.Command{
		Use:   "recover --data DIR",
		Short: "Quorum lost for good: make this stopped node a new single-voter cluster keeping its data",
		Long: "recover rewrites the Raft state of the STOPPED node in DIR so that its configuration\n" +
			"names only itself (id and Raft address from DIR/node.json). Its snapshot and every log\n" +
			"entry it stored become its state. Start it with `tekstore serve --data DIR` (no\n" +
			"--bootstrap, no --join); it elects itself, and other nodes then join it with fresh data\n" +
			"directories. Never run it on more than one node of the same cluster.",
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", "", "data directory of the stopped node (required)")
	cmd.Flags().StringVar(&opts.JournalDir, "journal", "", "journal directory when not DIR/journal")
	cmd.Flags().DurationVar(&opts.Retention, "retention", 0, "the cluster's key retention, only needed when DIR holds no snapshot (default 336h)")
	cmd.Flags().StringVar(&logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	_ = cmd.MarkFlagRequired("data")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		log, err := newLogger(os.Stderr, logLevel)
		if err != nil {
			return err
		}
		opts.Logger = log
		start := time.Now()
		res, err := node.Recover(opts)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "recovered %s as a single-voter cluster of node %s (raft %s): index %d, digest %s, %s\n",
			opts.DataDir, res.ID, res.RaftAddr, res.AppliedIndex, res.Digest, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(cmd.OutOrStdout(), "next: tekstore serve --id %s --data %s ... (without --bootstrap or --join), then let other nodes join it\n",
			res.ID, opts.DataDir)
		return nil
	}
	rootCmd.AddCommand(cmd)
}
