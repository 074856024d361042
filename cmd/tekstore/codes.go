package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/client"
)

func newCodesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "codes",
		Short: "Issue single-use upload codes (provider token)",
		Args:  cobra.NoArgs,
	}
	cf := addClientFlags(cmd)
	cmd.AddCommand(newCodesIssueCmd(cf))
	return cmd
}

func init() { rootCmd.AddCommand(newCodesCmd()) }

func newCodesIssueCmd(cf *clientFlags) *cobra.Command {
	var (
		req     client.AuthorizationRequest
		ttl     time.Duration
		pdfFile string
	)
	cmd := &cobra.Command{
		Use:   "issue [--count N] [--ttl D] [--report-type T] [--onset DATE] [--pdf FILE]",
		Short: "Issue codes; print them, or write printable cards with --pdf",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ttl < 0 {
				return fmt.Errorf("--ttl must be positive")
			}
			if ttl > 0 {
				req.TTL = ttl.String()
			}
			if req.Onset != "" {
				if _, err := time.Parse(time.DateOnly, req.Onset); err != nil {
					return fmt.Errorf("--onset: want a date such as 2026-11-20, not %q", req.Onset)
				}
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			if pdfFile != "" {
				pdf, err := c.IssueCodesPDF(cmd.Context(), req)
				if err != nil {
					return cf.explain(err)
				}
				if err := writeSecretFile(pdfFile, pdf.Data); err != nil {
					return err
				}
				n, noun := max(req.Count, 1), "codes"
				if n == 1 {
					noun = "code"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %d printable %s to %s\n", n, noun, pdfFile)
				return nil
			}
			a, err := c.IssueCodes(cmd.Context(), req)
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), a)
			}
			t := newTable(cmd.OutOrStdout(), "CODE", "ID", "EXPIRES")
			for _, ic := range a.Codes {
				t.row(ic.Code, ic.ID, formatTime(ic.ExpiresAt))
			}
			return t.flush()
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&req.Count, "count", 1, "number of codes (1..1000)")
	fs.DurationVar(&ttl, "ttl", 0, "how long the codes stay valid (default: the server's, 14 days)")
	fs.StringVar(&req.ReportType, "report-type", "", "confirmed, clinical, self_report or recursive (default confirmed)")
	fs.StringVar(&req.Onset, "onset", "", "date symptoms began (2006-01-02)")
	fs.StringVar(&pdfFile, "pdf", "", "write printable cards to this PDF file instead of printing the codes")
	return cmd
}
