package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/client"
)

func newProviderCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "provider",
		Short: "Manage health-care providers (admin token)",
		Args:  cobra.NoArgs,
	}
	cf := addClientFlags(cmd)
	cmd.AddCommand(newProviderAddCmd(cf), newProviderListCmd(cf), newProviderGetCmd(cf),
		newProviderSuspendCmd(cf, true), newProviderSuspendCmd(cf, false), newProviderRollbackCmd(cf))
	return cmd
}

func init() { rootCmd.AddCommand(newProviderCmd()) }

func newProviderAddCmd(cf *clientFlags) *cobra.Command {
	var quota uint32
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Create a provider and print its token (shown once)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			p, err := c.AddProvider(cmd.Context(), args[0], quota)
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), p)
			}
			t := newTable(cmd.OutOrStdout(), "ID", "NAME", "TOKEN")
			t.row(p.ID, args[0], p.Token)
			return t.flush()
		},
	}
	cmd.Flags().Uint32Var(&quota, "quota", 0, "codes the provider may issue per day (0 = unlimited)")
	return cmd
}

func newProviderListCmd(cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the providers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			l, err := c.Providers(cmd.Context())
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), l)
			}
			return printProviders(cmd, l.Providers...)
		},
	}
}

func newProviderGetCmd(cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get ID",
		Short: "Show one provider",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			p, err := c.Provider(cmd.Context(), args[0])
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), p)
			}
			return printProviders(cmd, p)
		},
	}
}

func printProviders(cmd *cobra.Command, ps ...client.Provider) error {
	t := newTable(cmd.OutOrStdout(), "ID", "NAME", "QUOTA/DAY", "SUSPENDED", "CREATED")
	for _, p := range ps {
		quota := "unlimited"
		if p.QuotaPerDay > 0 {
			quota = strconv.FormatUint(uint64(p.QuotaPerDay), 10)
		}
		t.row(p.ID, p.Name, quota, strconv.FormatBool(p.Suspended), formatTime(p.Created))
	}
	return t.flush()
}

func newProviderSuspendCmd(cf *clientFlags, suspend bool) *cobra.Command {
	use, short, verb := "resume ID", "Let a suspended provider issue codes again", "resumed"
	if suspend {
		use, short, verb = "suspend ID", "Stop a provider's token and its unused codes", "suspended"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.client()
			if err != nil {
				return err
			}
			var ch client.ProviderChange
			if suspend {
				ch, err = c.SuspendProvider(cmd.Context(), args[0])
			} else {
				ch, err = c.ResumeProvider(cmd.Context(), args[0])
			}
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), ch)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "provider %s (%s) %s at seq %d\n", ch.Provider.ID, ch.Provider.Name, verb, ch.Seq)
			return nil
		},
	}
}

func newProviderRollbackCmd(cf *clientFlags) *cobra.Command {
	var sinceArg, untilArg string
	cmd := &cobra.Command{
		Use:   "rollback ID --since T [--until T]",
		Short: "Roll back every submission made with the provider's codes in [since, until)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now()
			since, err := parseTimeArg("since", sinceArg, now)
			if err != nil {
				return err
			}
			var until time.Time
			if untilArg != "" {
				if until, err = parseTimeArg("until", untilArg, now); err != nil {
					return err
				}
			}
			c, err := cf.client()
			if err != nil {
				return err
			}
			r, err := c.RollbackProvider(cmd.Context(), args[0], since, until)
			if err != nil {
				return cf.explain(err)
			}
			if cf.json() {
				return writeJSON(cmd.OutOrStdout(), r)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "provider %s: %d submissions rolled back, %d keys revoked, seq %d\n",
				r.Provider, r.Submissions, r.Revoked, r.Seq)
			return nil
		},
	}
	cmd.Flags().StringVar(&sinceArg, "since", "", "start of the window: RFC 3339, a date, or a duration ago (48h)")
	cmd.Flags().StringVar(&untilArg, "until", "", "end of the window (default: now)")
	_ = cmd.MarkFlagRequired("since")
	return cmd
}
