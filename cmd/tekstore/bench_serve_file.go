package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
)

func init() { rootCmd.AddCommand(newBenchServeFileCmd()) }

// newBenchServeFileCmd is the reference of the checkpoint benchmark: plain
// Go net/http serving one file's bytes from memory (scripts/bench-wrk.sh).
func newBenchServeFileCmd() *cobra.Command {
	var file, addr string
	cmd := &cobra.Command{
		Use:    "bench-serve-file",
		Short:  "Serve one file from memory with plain net/http (benchmark reference)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("read %s: %w", file, err)
			}
			srv := &http.Server{Addr: addr, ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/zip")
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				_, _ = w.Write(b)
			})}
			return srv.ListenAndServe()
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "file to serve")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "listen address (loopback)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}
