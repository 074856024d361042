package server

import (
	"crypto/tls"
	"net"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/node"
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

	Bootstrap bool
	Join      []string
	NonVoter  bool

	AdminToken string
	// SigningKeyPEM signs GAEN export files (generated when empty in dev).
	SigningKeyPEM     []byte
	SigningKeyID      string
	SigningKeyVersion string
	Region            string

	// TLS for the public API (nil = plain HTTP).
	HTTPTLS *tls.Config
	// ClusterTLS is mutual TLS for Raft, forwarding and joins.
	ClusterTLS *tls.Config

	// RaftDial routes outgoing Raft connections (fault-injection tests).
	RaftDial func(address string, timeout time.Duration) (net.Conn, error)

	// Node settings (timeouts, retention, checkpoint interval ...).
	Node node.Config

	Logger zerolog.Logger
}
