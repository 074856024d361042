package transport

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/secrets"
)

// Body limits per endpoint.
const (
	publishBodyLimit = 64 << 10
	smallBodyLimit   = 16 << 10
	revokeBodyLimit  = 256 << 10
)

// Defaults of the API's knobs.
const (
	DefaultMaxCodeTTL = 30 * 24 * time.Hour
	defaultWait       = 5 * time.Second
	maxWait           = 60 * time.Second
)

// Config configures the HTTP API of one node.
type Config struct {
	Store Store
	Peers PeerDirectory
	// AdminTokenHash is secrets.TokenHash of the cluster's admin token.
	AdminTokenHash [32]byte
	// Pepper keys the hashes of codes and revision tokens (from the admin token).
	Pepper     secrets.Pepper
	Retention  time.Duration
	MaxCodeTTL time.Duration
	// Forwarder sends writes to the leader; nil uses a plain HTTP client.
	Forwarder *http.Client
	Registry  *prometheus.Registry
	// InternalToken authenticates this node's requests to other nodes (the
	// cluster's admin token; every node holds it).
	InternalToken string
	// RequirePeerCert makes node-only requests need a verified cluster
	// certificate (set when the API is HTTPS and the cluster uses mTLS).
	RequirePeerCert bool
	// Limits are the DoS budgets (DefaultLimits when zero).
	Limits Limits
	// Exports configures the checkpoint JSON and GAEN export endpoints.
	Exports ExportConfig
	Logger  zerolog.Logger
	// Extra registers routes owned by other parts (cluster, checkpoints,
	// portal) on the same router.
	Extra []func(r *mux.Router, s *Server)
}

// Server is the HTTP API of one node.
type Server struct {
	cfg     Config
	store   Store
	state   *fsm.State
	log     zerolog.Logger
	router  *mux.Router
	metrics *metrics
	chaff   *chaffTiming
	fwd     *http.Client
	guards  *guards
	deltas  *deltaCache
	// peerProof is the X-Tekstore-Peer-Auth value of this cluster.
	peerProof string
	// nodeHeader is the X-Tekstore-Node value (shared: never modify it).
	nodeHeader  []string
	indexHeader indexHeaderCache
	// lot parks long polls outside net/http (set by Listener).
	lot atomic.Pointer[parkingLot]
}

// New builds the API.
func New(cfg Config) *Server {
	if cfg.Retention == 0 {
		cfg.Retention = fsm.DefaultRetention
	}
	if cfg.MaxCodeTTL == 0 {
		cfg.MaxCodeTTL = DefaultMaxCodeTTL
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		cfg: cfg, store: cfg.Store, state: cfg.Store.State(),
		log:        cfg.Logger.With().Str("component", "http").Logger(),
		chaff:      newChaffTiming(),
		fwd:        cfg.Forwarder,
		guards:     newGuards(cfg.Limits),
		deltas:     newDeltaCache(defaultDeltaCacheB),
		peerProof:  peerProof(cfg.Pepper),
		nodeHeader: []string{cfg.Store.ID()},
	}
	if s.fwd == nil {
		s.fwd = &http.Client{Timeout: 30 * time.Second}
	}
	s.metrics = newMetrics(cfg.Registry, s)
	registerJournalMetrics(cfg.Registry, cfg.Store)
	s.router = s.routes()
	if fs, ok := cfg.Store.(publishForwarderSetter); ok && cfg.InternalToken != "" {
		fs.SetPublishForwarder(s.forwardPublish)
	}
	return s
}

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.withCommon(http.HandlerFunc(s.dispatch)) }

// Router exposes the router so other packages can add routes.
func (s *Server) Router() *mux.Router { return s.router }

// Store returns the node the server talks to.
func (s *Server) Store() Store { return s.store }

// WriteError answers with the spec's error shape (for routes added by other
// packages).
func (s *Server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, err)
}

// WriteJSON answers with a JSON body.
func (s *Server) WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// Logger returns the HTTP component's logger.
func (s *Server) Logger() zerolog.Logger { return s.log }

func (s *Server) routes() *mux.Router {
	r := mux.NewRouter()
	r.SkipClean(true) // never redirect to a cleaned path (spec §2)
	r.UseEncodedPath()
	r.Use(nameRoute)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, notFound("no such endpoint"))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &apiError{status: 405, code: codeMethodNotAllow, msg: "method not allowed on this endpoint"})
	})

	r.HandleFunc("/healthz", s.handleHealthz).Methods(http.MethodGet).Name("healthz")
	r.HandleFunc("/readyz", s.handleReadyz).Methods(http.MethodGet).Name("readyz")
	r.Handle("/metrics", s.metricsHandler()).Methods(http.MethodGet).Name("metrics")

	r.HandleFunc("/v1/publish", s.handlePublish).Methods(http.MethodPost).Name("publish")
	r.HandleFunc("/v1/publish/revoke", s.handlePublishRevoke).Methods(http.MethodPost).Name("publish_revoke")
	r.HandleFunc(keysPath, s.handleKeys).Methods(http.MethodGet).Name(routeKeys)

	r.HandleFunc("/v1/authorizations", s.provider(s.handleAuthorizations)).Methods(http.MethodPost).Name("authorizations")
	r.HandleFunc("/v1/submissions", s.read(s.providerOrAdmin(s.handleSubmissionsList))).Methods(http.MethodGet).Name("submissions")
	r.HandleFunc("/v1/submissions/{id}", s.read(s.providerOrAdmin(s.handleSubmissionGet))).Methods(http.MethodGet).Name("submission")
	r.HandleFunc("/v1/submissions/{id}/rollback", s.providerOrAdmin(s.handleSubmissionRollback)).Methods(http.MethodPost).Name("submission_rollback")
	r.HandleFunc("/v1/revocations", s.providerOrAdmin(s.handleRevocations)).Methods(http.MethodPost).Name("revocations")

	r.HandleFunc("/v1/providers", s.admin(s.handleProviderAdd)).Methods(http.MethodPost).Name("provider_add")
	r.HandleFunc("/v1/providers", s.read(s.admin(s.handleProviderList))).Methods(http.MethodGet).Name("providers")
	r.HandleFunc("/v1/providers/{id}", s.read(s.admin(s.handleProviderGet))).Methods(http.MethodGet).Name("provider")
	r.HandleFunc("/v1/providers/{id}/suspend", s.admin(s.handleProviderSuspend(true))).Methods(http.MethodPost).Name("provider_suspend")
	r.HandleFunc("/v1/providers/{id}/resume", s.admin(s.handleProviderSuspend(false))).Methods(http.MethodPost).Name("provider_resume")
	r.HandleFunc("/v1/providers/{id}/rollback", s.admin(s.handleProviderRollback)).Methods(http.MethodPost).Name("provider_rollback")

	s.checkpointRoutes(r)
	s.pprofRoutes(r)
	r.HandleFunc(internalPublishPath, s.admin(s.handleInternalPublish)).Methods(http.MethodPost).Name("internal_publish")

	s.registerBackupRoutes(r)

	for _, extra := range s.cfg.Extra {
		extra(r, s)
	}
	return r
}

// routeName names the route that answers a request, for logs and metrics.
func routeName(w http.ResponseWriter, r *http.Request) string {
	if sw, ok := w.(*statusWriter); ok && sw.route != "" {
		return sw.route
	}
	if rt := mux.CurrentRoute(r); rt != nil && rt.GetName() != "" {
		return rt.GetName()
	}
	return routeUnknown
}
