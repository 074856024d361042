package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/node"
)

func init() {
	var dataDir, from string
	cmd := &cobra.Command{
		Use:   "restore --data DIR --from FILE",
		Short: "Seed a new cluster's first node from a backup",
		Long: "restore checks FILE by loading it, refuses a DIR that already holds Raft state or a\n" +
			"journal, and places the backup in DIR. The next `tekstore serve --data DIR` installs it\n" +
			"and starts a single-voter cluster holding exactly that state at the backup's index;\n" +
			"other nodes then join it. Start serve with the cluster's retention.",
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&dataDir, "data", "", "data directory of the new node (required)")
	cmd.Flags().StringVar(&from, "from", "", "backup file (required)")
	_ = cmd.MarkFlagRequired("data")
	_ = cmd.MarkFlagRequired("from")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		info, err := node.Restore(dataDir, from)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "restore prepared in %s: index %d, retention %s, digest %s\n", dataDir, info.Index, info.Retention, info.Digest)
		fmt.Fprintf(cmd.OutOrStdout(), "next: tekstore serve --id ID --data %s ... (installs it as a new single-voter cluster)\n", dataDir)
		return nil
	}
	rootCmd.AddCommand(cmd)
}
