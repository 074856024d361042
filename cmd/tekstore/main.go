// Command tekstore is the single binary of tekstore: the server (serve,
// dev), the operator tools (cluster, backup, restore, rebuild, recover) and
// the client commands (provider, codes, submission, keys, bench).
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "tekstore:", err)
		os.Exit(1)
	}
}
