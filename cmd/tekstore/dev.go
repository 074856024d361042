package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tekstore/tekstore/client"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/secrets"
	"github.com/tekstore/tekstore/server"
)

// Files `tekstore dev` keeps in its data directory, next to the node's own.
const (
	devAdminTokenFile = "dev-admin.token"
	devProviderFile   = "dev-provider.json"
	devSigningKeyFile = "dev-signing-key.pem"
	devNodeID         = "dev"
	devProviderName   = "Demo provider"
	devReadyTimeout   = 30 * time.Second
)

// devProvider is the demo provider persisted between runs.
type devProvider struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

func newDevCmd() *cobra.Command {
	f := &nodeFlags{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run one local node with a demo provider (for trying tekstore out)",
		Long: "dev runs a single node that bootstraps itself, keeps its data in ./tekstore-data, creates an admin\n" +
			"token and a demo provider on first start, and prints their tokens, a fresh code and curl lines\n" +
			"to try the API. Running it again keeps the data and prints a new code.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDev(cmd.OutOrStdout(), f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.data, "data", "tekstore-data", "data directory")
	fs.StringVar(&f.http, "http", "127.0.0.1:8080", "HTTP API listen address")
	fs.StringVar(&f.raft, "raft", "", "Raft listen address (default: the recorded one, else the HTTP port + 1)")
	fs.StringVar(&f.logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	return cmd
}

func init() { rootCmd.AddCommand(newDevCmd()) }

// runDev starts the dev node, prepares the demo and serves until a signal.
func runDev(out io.Writer, f *nodeFlags) error {
	log, err := newLogger(os.Stderr, f.logLevel)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	admin, err := devAdminToken(f.data)
	if err != nil {
		return err
	}
	key, err := devSigningKey(f.data)
	if err != nil {
		return err
	}
	raftAddr, err := devRaftAddr(f.data, f.raft, f.http)
	if err != nil {
		return err
	}
	id := devNodeID
	if have, err := node.LoadIdentity(f.data); err == nil && have.ID != "" {
		id = have.ID
	}
	opts := server.Options{
		ID: id, DataDir: f.data, HTTPAddr: f.http, RaftAddr: raftAddr,
		Bootstrap: true, AdminToken: admin, SigningKeyPEM: key, Logger: log,
	}
	ctx, stop := signalContext()
	defer stop()
	s, err := server.Start(opts)
	if err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	demo, err := prepareDemo(ctx, s, admin)
	if err != nil {
		return errors.Join(err, s.Close())
	}
	printDev(out, s.URL(), f.data, admin, demo, time.Now())
	return runUntilDone(ctx, s, log)
}

// devDemo is what the dev banner shows.
type devDemo struct {
	provider devProvider
	code     client.IssuedCode
}

// prepareDemo waits for the node to be ready, creates or reuses the demo
// provider and issues one code.
func prepareDemo(ctx context.Context, s *server.Server, admin string) (devDemo, error) {
	var d devDemo
	ac, err := client.New(s.URL(), client.WithToken(admin), client.WithUserAgent("tekstore-dev"))
	if err != nil {
		return d, err
	}
	if err := waitReady(ctx, ac, devReadyTimeout); err != nil {
		return d, err
	}
	dir := s.Node().Config().DataDir
	if d.provider, err = devEnsureProvider(ctx, ac, dir); err != nil {
		return d, err
	}
	iss, err := ac.WithToken(d.provider.Token).IssueCodes(ctx, client.AuthorizationRequest{Count: 1})
	if err != nil {
		return d, fmt.Errorf("issue a demo code: %w", err)
	}
	if len(iss.Codes) != 1 {
		return d, fmt.Errorf("issue a demo code: got %d codes", len(iss.Codes))
	}
	d.code = iss.Codes[0]
	return d, nil
}

// waitReady polls /readyz until the node is ready or timeout passes.
func waitReady(ctx context.Context, c *client.Client, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		_, err := c.Readyz(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node not ready after %s: %w", timeout, err)
		case <-tick.C:
		}
	}
}

// devEnsureProvider reuses the demo provider recorded in dir, or creates it.
func devEnsureProvider(ctx context.Context, ac *client.Client, dir string) (devProvider, error) {
	path := filepath.Join(dir, devProviderFile)
	var p devProvider
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &p); err != nil {
			return p, fmt.Errorf("read %s: %w", path, err)
		}
		pr, err := ac.Provider(ctx, p.ID)
		switch {
		case err == nil && pr.Suspended:
			if _, err := ac.ResumeProvider(ctx, p.ID); err != nil {
				return p, fmt.Errorf("resume the demo provider: %w", err)
			}
			return p, nil
		case err == nil:
			return p, nil
		case !client.HasCode(err, client.CodeNotFound):
			return p, fmt.Errorf("look up the demo provider: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return p, fmt.Errorf("read %s: %w", path, err)
	}
	np, err := ac.AddProvider(ctx, devProviderName, 0)
	if err != nil {
		return p, fmt.Errorf("create the demo provider: %w", err)
	}
	p = devProvider{ID: np.ID, Token: np.Token}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return p, err
	}
	if err := writeSecretFile(path, append(b, '\n')); err != nil {
		return p, err
	}
	return p, nil
}

// devAdminToken reads the admin token kept in dir, or makes one.
func devAdminToken(dir string) (string, error) {
	path := filepath.Join(dir, devAdminTokenFile)
	if b, err := os.ReadFile(path); err == nil {
		if tok := strings.TrimSpace(string(b)); tok != "" {
			return tok, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	tok, err := secrets.NewToken(secrets.AdminTokenPrefix)
	if err != nil {
		return "", fmt.Errorf("make an admin token: %w", err)
	}
	return tok, writeSecretFile(path, []byte(tok+"\n"))
}

// devSigningKey reads the export signing key kept in dir, or makes one.
func devSigningKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, devSigningKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		return b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("make a signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("encode the signing key: %w", err)
	}
	b := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return b, writeSecretFile(path, b)
}

// devRaftAddr picks the Raft address: the flag, else the one recorded in
// the data directory (the cluster configuration names it), else the HTTP
// port + 1.
func devRaftAddr(dir, flag, httpAddr string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if id, err := node.LoadIdentity(dir); err == nil && id.RaftAddr != "" {
		return id.RaftAddr, nil
	}
	host, port, err := net.SplitHostPort(httpAddr)
	if err != nil {
		return "", fmt.Errorf("--http %q: %w", httpAddr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p >= 65535 {
		return "", fmt.Errorf("--http %q: give --raft too when the HTTP port is not fixed", httpAddr)
	}
	return net.JoinHostPort(host, strconv.Itoa(p+1)), nil
}

// writeSecretFile writes a file only its owner can read.
func writeSecretFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
