package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/tekstore/tekstore/server"
	"github.com/tekstore/tekstore/transport"
)

func parseSecurityFlags(t *testing.T, args ...string) (*securityFlags, error) {
	t.Helper()
	f := &securityFlags{}
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	f.register(fs)
	return f, fs.Parse(args)
}

func TestSecurityFlagsDefaults(t *testing.T) {
	f, err := parseSecurityFlags(t)
	if err != nil {
		t.Fatal(err)
	}
	var o server.Options
	if err := f.apply(&o); err != nil {
		t.Fatal(err)
	}
	if o.ClusterTLS != nil {
		t.Error("cluster TLS set without flags")
	}
	want := transport.DefaultLimits
	got := o.Limits
	if got.PublishPerSec != want.PublishPerSec || got.FailedCodesPerHour != want.FailedCodesPerHour ||
		got.MaxInFlight != want.MaxInFlight || got.TokenBurst != want.TokenBurst || len(got.TrustedProxies) != 0 {
		t.Errorf("limits %+v, want the defaults %+v", got, want)
	}
}

func TestSecurityFlagsApply(t *testing.T) {
	ca, err := server.NewThrowawayCA("flags")
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := ca.Issue("n1", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := server.NewThrowawayCA("other")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{"ca.pem": ca.CertPEM(), "other.pem": other.CertPEM(), "n1.pem": cert, "n1.key": key}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, o server.Options)
	}{
		{name: "cluster TLS", args: []string{"--cluster-ca", p("ca.pem"), "--cluster-cert", p("n1.pem"), "--cluster-key", p("n1.key")},
			check: func(t *testing.T, o server.Options) {
				if o.ClusterTLS == nil || len(o.ClusterTLS.Certificates) != 1 {
					t.Errorf("cluster TLS %+v", o.ClusterTLS)
				}
			}},
		{name: "cluster flags incomplete", args: []string{"--cluster-ca", p("ca.pem")}, wantErr: "go together"},
		{name: "cluster cert not from CA", args: []string{"--cluster-ca", p("other.pem"), "--cluster-cert", p("n1.pem"), "--cluster-key", p("n1.key")}, wantErr: "cluster"},
		{name: "trusted proxies", args: []string{"--trusted-proxies", "10.0.0.0/8,192.0.2.7, ::1"},
			check: func(t *testing.T, o server.Options) {
				want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("::1/128")}
				if len(o.Limits.TrustedProxies) != len(want) {
					t.Fatalf("trusted proxies %v, want %v", o.Limits.TrustedProxies, want)
				}
				for i := range want {
					if o.Limits.TrustedProxies[i] != want[i] {
						t.Errorf("trusted proxy %d: %v, want %v", i, o.Limits.TrustedProxies[i], want[i])
					}
				}
			}},
		{name: "bad proxy", args: []string{"--trusted-proxies", "example.com"}, wantErr: "--trusted-proxies"},
		{name: "custom limits", args: []string{"--limit-failed-codes-per-hour", "5", "--limit-publish-rate", "-1", "--max-in-flight", "100"},
			check: func(t *testing.T, o server.Options) {
				if o.Limits.FailedCodesPerHour != 5 || o.Limits.PublishPerSec != -1 || o.Limits.MaxInFlight != 100 {
					t.Errorf("limits %+v", o.Limits)
				}
			}},
		{name: "zero rate", args: []string{"--limit-read-rate", "0"}, wantErr: "must not be 0"},
		{name: "zero burst", args: []string{"--limit-publish-burst", "0"}, wantErr: "at least 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseSecurityFlags(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			var o server.Options
			err = f.apply(&o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, o)
		})
	}
}
