package server

import (
	"context"
	"crypto/tls"
	"net"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/transport"
)

// Options configure one process.
type Options struct {
	ID      string
	DataDir string
	DC      string
	// HTTPAddr is the listen address of the API (port 0 picks one).
	HTTPAddr string
	// HTTPAdvertise is the base URL other nodes and clients use; derived from
	// the listener when empty.
	HTTPAdvertise string
	RaftAddr      string
	GossipAddr    string
	// GossipKey enables memberlist encryption (32 bytes).
	GossipKey []byte
	// GossipProfile selects memberlist's timings: "wan" (default), "lan" or
	// "local" (one host: tests, make cluster).
	GossipProfile string

	Bootstrap bool
	Join      []string
	NonVoter  bool

	AdminToken string
	// SigningKeyPEM signs GAEN export files (PEM; see DevSigningKey when empty).
	SigningKeyPEM     []byte
	SigningKeyID      string
	SigningKeyVersion string
	Region            string
	// DevSigningKey, when SigningKeyPEM is empty, generates a signing key
	// once and keeps it in DataDir (DevSigningKeyFile), so that restarts
	// serve the same export bytes. Without either, export files are off.
	DevSigningKey bool
	// ExportMaxKeysPerFile splits large checkpoints into several export
	// files (transport.DefaultExportMaxKeysPerFile when zero).
	ExportMaxKeysPerFile int

	// TLS for the public API (nil = plain HTTP).
	HTTPTLS *tls.Config
	// ClusterTLS is mutual TLS for Raft, forwarding and joins.
	ClusterTLS *tls.Config

	// RaftDial routes outgoing Raft connections (fault-injection tests).
	RaftDial func(address string, timeout time.Duration) (net.Conn, error)
	// PeerDial, when set, dials the node-to-node HTTP connections (forwarded
	// writes, joins, membership requests) instead of the default dialer
	// (fault-injection tests route them through proxies with it).
	PeerDial func(ctx context.Context, network, address string) (net.Conn, error)

	// MaxConnections caps open API connections (DefaultMaxConnections when 0).
	MaxConnections int
	// Limits are the API's DoS budgets (transport.DefaultLimits when zero).
	Limits transport.Limits

	// Node settings (timeouts, retention, checkpoint interval ...).
	Node node.Config

	Logger zerolog.Logger
}
