package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/client"
)

// Environment variables of spec §1.
const (
	envAddr       = "TEKSTORE_ADDR"
	envToken      = "TEKSTORE_TOKEN"
	envAdminToken = "TEKSTORE_ADMIN_TOKEN"
	defaultAddr   = "http://127.0.0.1:8080"
)

// Output formats of the client commands.
const (
	formatTable = "table"
	formatJSON  = "json"
)

// clientFlags are the flags every command that talks to a node shares.
type clientFlags struct {
	addr   string
	token  string
	format string
}

// addClientFlags registers --addr, --token and --format on cmd and its
// sub-commands.
func addClientFlags(cmd *cobra.Command) *clientFlags {
	f := &clientFlags{}
	addr := os.Getenv(envAddr)
	if addr == "" {
		addr = defaultAddr
	}
	fs := cmd.PersistentFlags()
	fs.StringVar(&f.addr, "addr", addr, "base URL of any node (default $"+envAddr+", else "+defaultAddr+")")
	fs.StringVar(&f.token, "token", "", "bearer token (default $"+envToken+")")
	fs.StringVar(&f.format, "format", formatTable, "output format: table or json")
	return f
}

// client returns an API client for the flags.
func (f *clientFlags) client() (*client.Client, error) {
	if f.format != formatTable && f.format != formatJSON {
		return nil, fmt.Errorf("--format must be %s or %s, not %q", formatTable, formatJSON, f.format)
	}
	tok := f.token
	if tok == "" {
		tok = os.Getenv(envToken)
	}
	c, err := client.New(f.addr, client.WithToken(strings.TrimSpace(tok)), client.WithUserAgent("tekstore-cli"))
	if err != nil {
		return nil, fmt.Errorf("--addr: %w", err)
	}
	return c, nil
}

// json reports whether the user asked for JSON output.
func (f *clientFlags) json() bool { return f.format == formatJSON }

// explain turns a client error into the one line the user sees.
func (f *clientFlags) explain(err error) error {
	var ae *client.APIError
	var ue *url.Error
	switch {
	case errors.As(err, &ae):
		if ae.Code == client.CodeUnauthenticated && f.token == "" && os.Getenv(envToken) == "" {
			return fmt.Errorf("%w (set $%s or pass --token)", err, envToken)
		}
		return err
	case errors.As(err, &ue):
		var op *net.OpError
		if errors.As(err, &op) {
			return fmt.Errorf("cannot reach %s: %v", f.addr, op.Err)
		}
		return fmt.Errorf("cannot reach %s: %v", f.addr, ue.Err)
	}
	return err
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// table is an aligned text table for humans.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) {
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error {
	if err := t.tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// parseTimeArg reads a time flag: RFC 3339, a date (UTC midnight), or a
// duration meaning "that long before now" (e.g. 48h).
func parseTimeArg(name, v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d).Truncate(time.Second), nil
	}
	return time.Time{}, fmt.Errorf("--%s: want an RFC 3339 time, a date (2006-01-02) or a duration ago (48h), not %q", name, v)
}

// formatTime prints a time for tables (UTC, seconds).
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// newLogger returns a JSON logger on w at the given level.
func newLogger(w io.Writer, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(strings.ToLower(level))
	if err != nil || level == "" {
		return zerolog.Nop(), fmt.Errorf("--log-level: want debug, info, warn or error, not %q", level)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}
