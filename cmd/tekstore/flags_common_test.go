package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tekstore/tekstore/client"
)

func TestParseTimeArg(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-11-19T08:30:00Z", time.Date(2026, 11, 19, 8, 30, 0, 0, time.UTC), true},
		{"2026-11-18", time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), true},
		{"48h", now.Add(-48 * time.Hour), true},
		{"yesterday", time.Time{}, false},
		{"-1h", time.Time{}, false},
	}
	for _, c := range cases {
		got, err := parseTimeArg("since", c.in, now)
		if (err == nil) != c.ok || !got.Equal(c.want) {
			t.Errorf("parseTimeArg(%q) = %v, %v", c.in, got, err)
		}
	}
}

func TestExplain(t *testing.T) {
	t.Setenv(envToken, "")
	cf := &clientFlags{addr: "http://127.0.0.1:1"}
	forbidden := &client.APIError{Status: 403, Code: client.CodeForbidden, Message: "this submission belongs to another provider"}
	unauth := &client.APIError{Status: 401, Code: client.CodeUnauthenticated, Message: "a valid bearer token is required"}
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/v1/x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	cases := []struct {
		err  error
		want string
	}{
		{forbidden, "forbidden: this submission belongs to another provider"},
		{fmt.Errorf("wrapped: %w", forbidden), "wrapped: forbidden: this submission belongs to another provider"},
		{unauth, "unauthenticated: a valid bearer token is required (set $TEKSTORE_TOKEN or pass --token)"},
		{refused, "cannot reach http://127.0.0.1:1: connection refused"},
	}
	for _, c := range cases {
		got := cf.explain(c.err).Error()
		if got != c.want {
			t.Errorf("explain = %q, want %q", got, c.want)
		}
		if strings.Contains(got, "\n") {
			t.Errorf("explain gave more than one line: %q", got)
		}
	}
}

func TestNewLogger(t *testing.T) {
	for _, lvl := range []string{"debug", "info", "warn", "error"} {
		if _, err := newLogger(nil, lvl); err != nil {
			t.Errorf("newLogger(%q): %v", lvl, err)
		}
	}
	if _, err := newLogger(nil, "loud"); err == nil {
		t.Error("newLogger accepted an unknown level")
	}
}
