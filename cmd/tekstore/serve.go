package main

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/server"
)

// nodeFlags are the flags that describe one node (serve; dev reuses the
// mapping).
type nodeFlags struct {
	id, data, dc                       string
	http, httpAdvertise, raft, gossip  string
	gossipKey, gossipProfile           string
	bootstrap, nonVoter                bool
	join                               []string
	adminTokenFile                     string
	signingKey, signingKeyID, signingV string
	region                             string
	tlsCert, tlsKey                    string
	logLevel                           string

	heartbeat, election, leaderLease, commit time.Duration
	maxAppend                                int
	snapshotThreshold, trailingLogs          uint64
	snapshotInterval                         time.Duration
	snapshotLogBytes                         int64
	retention, checkpointInterval            time.Duration
	exportMinKeys                            int
	journalRetention                         string
}

// register adds the node flags to fs.
func (f *nodeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.id, "id", "", "node id (default: the id recorded in the data directory)")
	fs.StringVar(&f.data, "data", "", "data directory (required)")
	fs.StringVar(&f.dc, "dc", "", "data center label (default dc1)")
	fs.StringVar(&f.http, "http", "127.0.0.1:8080", "HTTP API listen address HOST:PORT")
	fs.StringVar(&f.httpAdvertise, "http-advertise", "", "base URL other nodes and clients use (default: from --http)")
	fs.StringVar(&f.raft, "raft", "", "Raft listen address HOST:PORT (default: the address recorded in the data directory)")
	fs.StringVar(&f.gossip, "gossip", "", "gossip (memberlist) listen address HOST:PORT")
	fs.StringVar(&f.gossipKey, "gossip-key", "", "base64 of a 32-byte key that encrypts gossip (the same on every node)")
	fs.StringVar(&f.gossipProfile, "gossip-profile", server.GossipWAN, "gossip timings: wan, lan or local (one host)")
	fs.BoolVar(&f.bootstrap, "bootstrap", false, "start a new cluster with this node as its only voter (ignored when the data directory has state)")
	fs.StringSliceVar(&f.join, "join", nil, "HTTP URLs of existing nodes to join (comma-separated)")
	fs.BoolVar(&f.nonVoter, "nonvoter", false, "join as a non-voting member (read replica)")
	fs.StringVar(&f.adminTokenFile, "admin-token-file", "", "file holding the cluster's admin token (default $"+envAdminToken+")")
	fs.StringVar(&f.signingKey, "signing-key", "", "PEM file of the ECDSA P-256 key that signs export files")
	fs.StringVar(&f.signingKeyID, "signing-key-id", "", "verification key id written into export files")
	fs.StringVar(&f.signingV, "signing-key-version", "", "verification key version written into export files")
	fs.StringVar(&f.region, "region", "", "region written into export files")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "PEM certificate for HTTPS (with --tls-key)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "PEM private key for HTTPS (with --tls-cert)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")

	fs.DurationVar(&f.heartbeat, "heartbeat-timeout", node.DefaultHeartbeatTimeout, "Raft heartbeat timeout")
	fs.DurationVar(&f.election, "election-timeout", node.DefaultElectionTimeout, "Raft election timeout")
	fs.DurationVar(&f.leaderLease, "leader-lease-timeout", node.DefaultLeaderLeaseTimeout, "Raft leader lease timeout")
	fs.DurationVar(&f.commit, "commit-timeout", node.DefaultCommitTimeout, "Raft commit timeout")
	fs.IntVar(&f.maxAppend, "max-append-entries", node.DefaultMaxAppendEntries, "Raft entries per append request")
	fs.Uint64Var(&f.snapshotThreshold, "snapshot-threshold", node.DefaultSnapshotThreshold, "log entries between Raft snapshots")
	fs.DurationVar(&f.snapshotInterval, "snapshot-interval", node.DefaultSnapshotInterval, "how often Raft checks whether to snapshot")
	fs.Uint64Var(&f.trailingLogs, "trailing-logs", node.DefaultTrailingLogs, "log entries kept after a snapshot")
	fs.Int64Var(&f.snapshotLogBytes, "snapshot-log-bytes", node.DefaultSnapshotLogBytes, "bytes of applied commands after which a snapshot is taken (bounds the Raft log under heavy load)")
	fs.DurationVar(&f.retention, "retention", 14*24*time.Hour, "how long a key stays public after its window ends")
	fs.DurationVar(&f.checkpointInterval, "checkpoint-interval", node.DefaultCheckpointInterval, "how often the leader seals a checkpoint")
	fs.IntVar(&f.exportMinKeys, "export-min-keys", 0, "pad each export file with random keys up to this count")
	fs.StringVar(&f.journalRetention, "journal-retention", "forever", "how much event journal to keep: forever, an age (2160h, 90d) or a size (200GB)")
}

// options maps the flags to server.Options. It reads the files the flags
// name (admin token, signing key, TLS) and fills the id and Raft address
// from the data directory of a node that restarts.
func (f *nodeFlags) options(log zerolog.Logger) (server.Options, error) {
	var o server.Options
	if f.data == "" {
		return o, errors.New("--data is required")
	}
	id, raftAddr, dc := f.id, f.raft, f.dc
	if have, err := node.LoadIdentity(f.data); err == nil {
		id = firstNonEmpty(id, have.ID)
		raftAddr = firstNonEmpty(raftAddr, have.RaftAddr)
		dc = firstNonEmpty(dc, have.DC)
	} else if !errors.Is(err, os.ErrNotExist) {
		return o, fmt.Errorf("read the data directory's identity: %w", err)
	}
	if id == "" {
		return o, errors.New("--id is required for a new data directory")
	}
	if raftAddr == "" {
		return o, errors.New("--raft is required for a new data directory")
	}
	if f.bootstrap && len(f.join) > 0 {
		return o, errors.New("--bootstrap and --join exclude each other")
	}
	if f.retention <= 0 || f.checkpointInterval <= 0 {
		return o, errors.New("--retention and --checkpoint-interval must be positive")
	}
	jAge, jBytes, err := node.ParseJournalRetention(f.journalRetention)
	if err != nil {
		return o, fmt.Errorf("--journal-retention: %w", err)
	}
	admin, err := adminToken(f.adminTokenFile)
	if err != nil {
		return o, err
	}
	o = server.Options{
		ID: id, DataDir: f.data, DC: dc,
		HTTPAddr: f.http, HTTPAdvertise: strings.TrimRight(f.httpAdvertise, "/"),
		RaftAddr: raftAddr, GossipAddr: f.gossip, GossipProfile: f.gossipProfile,
		Bootstrap: f.bootstrap, Join: f.join, NonVoter: f.nonVoter,
		AdminToken:   admin,
		SigningKeyID: f.signingKeyID, SigningKeyVersion: f.signingV, Region: f.region,
		Node: node.Config{
			Retention: f.retention, CheckpointInterval: f.checkpointInterval, ExportMinKeys: f.exportMinKeys,
			HeartbeatTimeout: f.heartbeat, ElectionTimeout: f.election, LeaderLeaseTimeout: f.leaderLease,
			CommitTimeout: f.commit, MaxAppendEntries: f.maxAppend, SnapshotThreshold: f.snapshotThreshold,
			SnapshotInterval: f.snapshotInterval, TrailingLogs: f.trailingLogs, SnapshotLogBytes: f.snapshotLogBytes,
			JournalRetainAge: jAge, JournalRetainBytes: jBytes,
		},
		Logger: log,
	}
	if o.GossipKey, err = decodeGossipKey(f.gossipKey); err != nil {
		return o, err
	}
	if f.signingKey != "" {
		if o.SigningKeyPEM, err = readSigningKey(f.signingKey); err != nil {
			return o, err
		}
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return o, errors.New("--tls-cert and --tls-key go together")
	}
	if f.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return o, fmt.Errorf("load --tls-cert/--tls-key: %w", err)
		}
		o.HTTPTLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	return o, nil
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// adminToken reads the token from file, else from $TEKSTORE_ADMIN_TOKEN.
func adminToken(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read --admin-token-file: %w", err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", fmt.Errorf("--admin-token-file %s is empty", file)
		}
		return tok, nil
	}
	if tok := strings.TrimSpace(os.Getenv(envAdminToken)); tok != "" {
		return tok, nil
	}
	return "", errors.New("no admin token: pass --admin-token-file FILE or set $" + envAdminToken)
}

// readSigningKey reads a PEM private key file.
func readSigningKey(file string) ([]byte, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read --signing-key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || (blk.Type != "PRIVATE KEY" && blk.Type != "EC PRIVATE KEY") {
		return nil, fmt.Errorf("--signing-key %s: want a PEM PRIVATE KEY or EC PRIVATE KEY", file)
	}
	return b, nil
}

// signalContext is cancelled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// runUntilDone waits for ctx (a signal) or a serve failure, then closes s.
func runUntilDone(ctx context.Context, s *server.Server, log zerolog.Logger) error {
	var serveErr error
	select {
	case <-ctx.Done():
		log.Info().Str("component", "cli").Msg("signal received, shutting down")
	case err, ok := <-s.Done():
		if ok && err != nil {
			serveErr = fmt.Errorf("HTTP server stopped: %w", err)
		}
	}
	if err := s.Close(); err != nil {
		return errors.Join(serveErr, fmt.Errorf("close node: %w", err))
	}
	log.Info().Str("component", "cli").Msg("stopped")
	return serveErr
}

func newServeCmd() *cobra.Command {
	f := &nodeFlags{}
	sec := &securityFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run one node of a tekstore cluster",
		Long: "serve runs one node until SIGINT or SIGTERM. --bootstrap starts a new cluster; --join URL asks an\n" +
			"existing node to add this one. A node restarting on its data directory needs neither.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tuneServeGC()
			log, err := newLogger(os.Stderr, f.logLevel)
			if err != nil {
				return err
			}
			opts, err := f.options(log)
			if err != nil {
				return err
			}
			if err := sec.apply(&opts); err != nil {
				return err
			}
			ctx, stop := signalContext()
			defer stop()
			s, err := server.Start(opts)
			if err != nil {
				return fmt.Errorf("start node: %w", err)
			}
			return runUntilDone(ctx, s, log)
		},
	}
	f.register(cmd.Flags())
	sec.register(cmd.Flags())
	return cmd
}

func init() { rootCmd.AddCommand(newServeCmd()) }
