package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/client"
)

// Follow mode of `tekstore keys`.
const (
	followWait       = 55 * time.Second // below the server's 60 s maximum
	followBackoffMin = 500 * time.Millisecond
	followBackoffMax = 10 * time.Second
)

func newKeysCmd() *cobra.Command {
	var (
		since  uint64
		limit  int
		follow bool
	)
	cmd := &cobra.Command{
		Use:   "keys [--since S] [--limit N] [--follow]",
		Short: "Print the public key feed (added and revoked keys after seq S)",
		Long: "keys prints the delta of the public key set after seq S (0: the whole set), page by page.\n" +
			"--follow keeps long-polling and prints changes as they are committed. With --format json\n" +
			"every page is one JSON object on its own line.",
		Args: cobra.NoArgs,
		RunE: nil,
	}
	cf := addClientFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if limit < 0 {
			return errors.New("--limit must be positive")
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		ctx, stop := signalContext()
		defer stop()
		f := &keyFeed{c: c, cf: cf, out: cmd.OutOrStdout(), limit: limit}
		return f.run(ctx, since, follow)
	}
	fs := cmd.Flags()
	fs.Uint64Var(&since, "since", 0, "seq already seen (0: the whole public set)")
	fs.IntVar(&limit, "limit", 0, "keys per request (default: the server's)")
	fs.BoolVar(&follow, "follow", false, "keep waiting for changes (Ctrl-C stops)")
	return cmd
}

func init() { rootCmd.AddCommand(newKeysCmd()) }

// keyFeed prints pages of GET /v1/keys.
type keyFeed struct {
	c       *client.Client
	cf      *clientFlags
	out     io.Writer
	limit   int
	printed bool
}

func (f *keyFeed) run(ctx context.Context, since uint64, follow bool) error {
	backoff := followBackoffMin
	for {
		q := client.KeysQuery{Since: since, Limit: f.limit}
		if follow {
			q.Wait = followWait
		}
		d, err := f.c.Keys(ctx, q)
		switch {
		case ctx.Err() != nil:
			return nil // stopped by a signal
		case err != nil && follow && retryable(err):
			fmt.Fprintf(os.Stderr, "tekstore: %v; retrying\n", f.cf.explain(err))
			if !sleepCtx(ctx, max(backoff, retryAfter(err))) {
				return nil
			}
			backoff = min(2*backoff, followBackoffMax)
			continue
		case err != nil:
			return f.cf.explain(err)
		}
		backoff = followBackoffMin
		if err := f.print(d); err != nil {
			return err
		}
		since = d.Until
		if !d.More && !follow {
			return nil
		}
	}
}

// print writes one page; follow mode skips empty pages after the first.
func (f *keyFeed) print(d client.Delta) error {
	if f.printed && len(d.Keys) == 0 && len(d.Revoked) == 0 {
		return nil
	}
	f.printed = true
	if f.cf.json() {
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode page: %w", err)
		}
		_, err = fmt.Fprintf(f.out, "%s\n", b)
		return err
	}
	fmt.Fprintf(f.out, "# since=%d until=%d reset=%t more=%t keys=%d revoked=%d\n",
		d.Since, d.Until, d.Reset, d.More, len(d.Keys), len(d.Revoked))
	if len(d.Keys)+len(d.Revoked) == 0 {
		return nil
	}
	t := newTable(f.out, "CHANGE", "KEY", "START", "PERIOD", "RISK", "REPORT", "ONSET")
	for _, k := range d.Keys {
		onset := "-"
		if k.DaysSinceOnsetOfSymptoms != nil {
			onset = strconv.Itoa(int(*k.DaysSinceOnsetOfSymptoms))
		}
		t.row("added", k.Key, intervalDate(k.RollingStartNumber), strconv.Itoa(int(k.RollingPeriod)),
			strconv.Itoa(int(k.TransmissionRisk)), k.ReportType, onset)
	}
	for _, r := range d.Revoked {
		t.row("revoked", r.Key, intervalDate(r.RollingStartNumber), "-", "-", "-", "-")
	}
	return t.flush()
}

// intervalDate shows an ENIntervalNumber as a UTC time.
func intervalDate(n uint32) string {
	return time.Unix(int64(n)*600, 0).UTC().Format("2006-01-02T15:04Z")
}

// retryable reports whether a follow loop should try again.
func retryable(err error) bool {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Temporary()
	}
	return true // network trouble
}

func retryAfter(err error) time.Duration {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.RetryAfter
	}
	return 0
}

// sleepCtx waits d; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
