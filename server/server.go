package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/portal"
	"github.com/tekstore/tekstore/secrets"
	"github.com/tekstore/tekstore/transport"
	"golang.org/x/net/netutil"
)

// HTTP server limits (slow clients cannot hold resources for long).
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 75 * time.Second // above the 60 s long-poll maximum
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 16 << 10
	shutdownTimeout   = 5 * time.Second
)

// DefaultMaxConnections caps open API connections per node: above
// transport.DefaultLimits.MaxLongPolls plus room for ordinary requests, and
// below the usual file-descriptor limit (raise both together).
const DefaultMaxConnections = 24576

// Server is one running tekstore process.
type Server struct {
	opts    Options
	log     zerolog.Logger
	node    *node.Node
	api     *transport.Server
	httpLn  net.Listener
	http    *http.Server
	url     string
	serveCh chan error
	peer    *http.Client // node-to-node client (forwarding, joins)
	cluster *cluster
}

// Start opens the node and serves the API. The caller must Close it.
func Start(opts Options) (*Server, error) {
	if opts.AdminToken == "" {
		return nil, errors.New("an admin token is required")
	}
	exports, err := exportConfig(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, log: opts.Logger, serveCh: make(chan error, 1), peer: newPeerClient(opts.ClusterTLS)}
	ln, err := net.Listen("tcp", opts.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen for HTTP on %s: %w", opts.HTTPAddr, err)
	}
	// Past the connection cap, new connections wait in the kernel's
	// backlog instead of costing a file descriptor and a goroutine each.
	maxConns := opts.MaxConnections
	if maxConns == 0 {
		maxConns = DefaultMaxConnections
	}
	ln = netutil.LimitListener(ln, maxConns)
	s.httpLn = ln
	if opts.PeerDial != nil {
		s.peer.Transport.(*http.Transport).DialContext = opts.PeerDial
	}
	s.url = opts.HTTPAdvertise
	if s.url == "" {
		scheme := "http"
		if opts.HTTPTLS != nil {
			scheme = "https"
		}
		s.url = scheme + "://" + ln.Addr().String()
	}
	s.url = strings.TrimRight(s.url, "/")

	ncfg := opts.Node
	ncfg.ID, ncfg.DataDir, ncfg.DC = opts.ID, opts.DataDir, opts.DC
	ncfg.RaftBind, ncfg.HTTPURL = opts.RaftAddr, s.url
	ncfg.Bootstrap, ncfg.NonVoter = opts.Bootstrap, opts.NonVoter
	ncfg.ClusterTLS, ncfg.Dial = opts.ClusterTLS, opts.RaftDial
	ncfg.Logger = opts.Logger
	n, err := node.Open(ncfg)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.node = n
	if s.cluster, err = startCluster(opts, n, s.url, s.peer); err != nil {
		n.Close()
		ln.Close()
		return nil, err
	}

	reg := prometheus.NewRegistry()
	for _, c := range n.Collectors() {
		_ = reg.Register(c)
	}
	s.api = transport.New(transport.Config{
		Store:           n,
		AdminTokenHash:  secrets.TokenHash(opts.AdminToken),
		Pepper:          secrets.DerivePepper(opts.AdminToken),
		Retention:       n.Config().Retention,
		Registry:        reg,
		Logger:          opts.Logger,
		Peers:           s.cluster.dir,
		Extra:           []func(*mux.Router, *transport.Server){func(r *mux.Router, _ *transport.Server) { portal.Routes(r) }, s.cluster.routes()},
		Forwarder:       s.peer,
		InternalToken:   opts.AdminToken,
		RequirePeerCert: opts.HTTPTLS != nil && opts.ClusterTLS != nil,
		Limits:          opts.Limits,
		Exports:         exports,
	})
	s.http = &http.Server{
		Handler:           s.api.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		TLSConfig:         apiTLSWithProtocols(apiTLS(opts.HTTPTLS, opts.ClusterTLS)),
		ErrorLog:          httpErrorLog(opts.Logger),
	}
	apiLn := apiListener(s.api, ln, s.http.TLSConfig)
	go func() {
		// Closing apiLn (Shutdown and Close do) also closes the parked
		// long polls, which http.Server does not track.
		err := s.http.Serve(apiLn)
		if !errors.Is(err, http.ErrServerClosed) {
			s.serveCh <- err
		}
		close(s.serveCh)
	}()
	s.cluster.run()
	s.log.Info().Str("component", "server").Str("id", opts.ID).Str("http", s.url).
		Str("raft", opts.RaftAddr).Str("dc", opts.DC).Msg("node started")
	return s, nil
}

// URL returns the API's base URL.
func (s *Server) URL() string { return s.url }

// Node returns the Raft node.
func (s *Server) Node() *node.Node { return s.node }

// Done is closed when the HTTP server stops; it yields a serve error if any.
func (s *Server) Done() <-chan error { return s.serveCh }

// Close stops serving and closes the node.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	herr := s.http.Shutdown(ctx)
	if errors.Is(herr, context.DeadlineExceeded) {
		herr = s.http.Close()
	}
	cerr := s.cluster.close()
	nerr := s.node.Close()
	return errors.Join(herr, cerr, nerr)
}
