package main

import (
	"github.com/spf13/cobra"
)

// rootCmd is the tekstore command. Each sub-command lives in its own file
// and registers itself in an init function with rootCmd.AddCommand.
var rootCmd = &cobra.Command{
	Use:           "tekstore",
	Short:         "Backend for privacy-preserving exposure-notification apps",
	SilenceUsage:  true,
	SilenceErrors: true,
}
