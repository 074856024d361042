package main

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/spf13/pflag"
	"github.com/tekstore/tekstore/server"
	"github.com/tekstore/tekstore/transport"
)

// securityFlags are serve's flags for mutual TLS between nodes and for the
// DoS budgets (docs/security.md).
type securityFlags struct {
	clusterCA, clusterCert, clusterKey string
	trustedProxies                     []string
	limits                             transport.Limits
	maxConns                           int
}

// register adds the security flags to fs, with transport.DefaultLimits as
// the documented defaults.
func (f *securityFlags) register(fs *pflag.FlagSet) {
	d := transport.DefaultLimits
	fs.StringVar(&f.clusterCA, "cluster-ca", "", "PEM CA certificate of the cluster: mutual TLS for Raft, forwarding and joins (with --cluster-cert, --cluster-key)")
	fs.StringVar(&f.clusterCert, "cluster-cert", "", "PEM certificate of this node, issued by --cluster-ca (serverAuth and clientAuth)")
	fs.StringVar(&f.clusterKey, "cluster-key", "", "PEM private key of --cluster-cert")
	fs.StringSliceVar(&f.trustedProxies, "trusted-proxies", nil, "comma-separated CIDRs or IPs of proxies whose X-Forwarded-For names the client")
	l := &f.limits
	fs.Float64Var(&l.PublishPerSec, "limit-publish-rate", d.PublishPerSec, "uploads per second per client address (negative: no limit)")
	fs.IntVar(&l.PublishBurst, "limit-publish-burst", d.PublishBurst, "upload burst per client address")
	fs.Float64Var(&l.FailedCodesPerHour, "limit-failed-codes-per-hour", d.FailedCodesPerHour, "wrong, used or expired codes per hour per client address")
	fs.IntVar(&l.FailedCodesBurst, "limit-failed-codes-burst", d.FailedCodesBurst, "failed-code burst per client address")
	fs.Float64Var(&l.ReadsPerSec, "limit-read-rate", d.ReadsPerSec, "GET requests per second per client address (negative: no limit)")
	fs.IntVar(&l.ReadsBurst, "limit-read-burst", d.ReadsBurst, "GET burst per client address")
	fs.IntVar(&l.LongPollsPerClient, "limit-long-polls-per-client", d.LongPollsPerClient, "concurrent long polls per client address")
	fs.Float64Var(&l.TokenPerSec, "limit-token-rate", d.TokenPerSec, "portal and admin calls per second per token (negative: no limit)")
	fs.IntVar(&l.TokenBurst, "limit-token-burst", d.TokenBurst, "portal and admin call burst per token")
	fs.IntVar(&l.MaxInFlight, "max-in-flight", d.MaxInFlight, "concurrent requests on the node (long polls excluded); more get 503")
	fs.IntVar(&l.MaxLongPolls, "max-long-polls", d.MaxLongPolls, "concurrent long polls on the node; more get 503")
	fs.IntVar(&f.maxConns, "max-connections", server.DefaultMaxConnections, "open API connections; more wait in the listen backlog (keep below the file-descriptor limit)")
}

// apply fills the TLS and limit options of o from the flags.
func (f *securityFlags) apply(o *server.Options) error {
	set := 0
	for _, v := range []string{f.clusterCA, f.clusterCert, f.clusterKey} {
		if v != "" {
			set++
		}
	}
	switch set {
	case 0:
	case 3:
		cfg, err := server.LoadClusterTLS(f.clusterCA, f.clusterCert, f.clusterKey)
		if err != nil {
			return fmt.Errorf("--cluster-ca/--cluster-cert/--cluster-key: %w", err)
		}
		o.ClusterTLS = cfg
	default:
		return errors.New("--cluster-ca, --cluster-cert and --cluster-key go together")
	}
	if f.maxConns < 1 {
		return fmt.Errorf("--max-connections must be at least 1, not %d", f.maxConns)
	}
	o.MaxConnections = f.maxConns
	limits := f.limits
	for _, p := range f.trustedProxies {
		prefix, err := parsePrefixOrAddr(strings.TrimSpace(p))
		if err != nil {
			return fmt.Errorf("--trusted-proxies: %w", err)
		}
		limits.TrustedProxies = append(limits.TrustedProxies, prefix)
	}
	for name, v := range map[string]int{
		"--limit-publish-burst": limits.PublishBurst, "--limit-failed-codes-burst": limits.FailedCodesBurst,
		"--limit-read-burst": limits.ReadsBurst, "--limit-long-polls-per-client": limits.LongPollsPerClient,
		"--limit-token-burst": limits.TokenBurst, "--max-in-flight": limits.MaxInFlight, "--max-long-polls": limits.MaxLongPolls,
	} {
		if v < 1 {
			return fmt.Errorf("%s must be at least 1, not %d", name, v)
		}
	}
	for name, v := range map[string]float64{
		"--limit-publish-rate": limits.PublishPerSec, "--limit-failed-codes-per-hour": limits.FailedCodesPerHour,
		"--limit-read-rate": limits.ReadsPerSec, "--limit-token-rate": limits.TokenPerSec,
	} {
		if v == 0 {
			return fmt.Errorf("%s must not be 0 (a negative rate disables the limit)", name)
		}
	}
	o.Limits = limits
	return nil
}

// parsePrefixOrAddr reads "10.0.0.0/8" or a single address.
func parsePrefixOrAddr(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR: %w", s, err)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
