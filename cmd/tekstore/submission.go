package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/client"
)

func newSubmissionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submission",
		Short: "List and roll back submissions (provider or admin token)",
		Args:  cobra.NoArgs,
	}
	cf := addClientFlags(cmd)
	cmd.AddCommand(newSubmissionRollbackCmd(cf), newSubmissionListCmd(cf), newSubmissionGetCmd(cf))
	return cmd
}

func init() { rootCmd.AddCommand(newSubmissionCmd()) }

func newSubmissionRollbackCmd(cf *clientFlags) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "rollback ID [--reason TEXT]",
		Short: "Roll a submission back: its keys leave the public set",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			r, err := c.RollbackSubmission(cmd.Context(), args[0], reason)
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), r)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "submission %s rolled back: %d keys revoked, seq %d\n", r.Submission, r.Revoked, r.Seq)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (kept with the rollback)")
	return cmd
}

func newSubmissionListCmd(cf *clientFlags) *cobra.Command {
	var sinceArg string
	cmd := &cobra.Command{
		Use:   "list [--since T]",
		Short: "List your submissions (an admin sees all)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var since time.Time
			if sinceArg != "" {
				var err error
				if since, err = parseTimeArg("since", sinceArg, time.Now()); err != nil {
					return err
				}
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			l, err := c.Submissions(cmd.Context(), since)
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), l)
			}
			return printSubmissions(cmd, l.Submissions...)
		},
	}
	cmd.Flags().StringVar(&sinceArg, "since", "", "only submissions from this time on: RFC 3339, a date, or a duration ago (48h)")
	return cmd
}

func newSubmissionGetCmd(cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get ID",
		Short: "Show one submission",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			s, err := c.Submission(cmd.Context(), args[0])
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), s)
			}
			return printSubmissions(cmd, s)
		},
	}
}

func printSubmissions(cmd *cobra.Command, subs ...client.Submission) error {
	t := newTable(cmd.OutOrStdout(), "ID", "PROVIDER", "AUTHORIZATION", "KEYS", "STATE", "SEQ", "TIME")
	for _, s := range subs {
		t.row(s.ID, s.Provider, s.Authorization, strconv.Itoa(len(s.Keys)), s.State, strconv.FormatUint(s.Seq, 10), formatTime(s.Time))
	}
	return t.flush()
}
