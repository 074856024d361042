package transport

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/tekstore/tekstore/fsm"
)

// Metric names.
const (
	metricRequests        = "tekstore_http_requests_total"
	metricDuration        = "tekstore_http_request_duration_seconds"
	metricPublishRejected = "tekstore_publish_rejected_total"
	metricKeysPublished   = "tekstore_keys_published_total"
	metricChaff           = "tekstore_chaff_requests_total"
	metricLongPolls       = "tekstore_long_polls"
	metricAppliedIndex    = "tekstore_applied_index"
	metricIsLeader        = "tekstore_is_leader"
	metricStateOffHeap    = "tekstore_state_offheap_bytes"
	metricRateLimited     = "tekstore_rate_limited_total"
	metricShed            = "tekstore_load_shed_total"
)

type metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	publishRejected *prometheus.CounterVec
	published       prometheus.Counter
	chaff           prometheus.Counter
	longPolls       prometheus.Gauge
	limited         prometheus.Counter
	shed            prometheus.Counter
	// byRoute caches the request counter and latency histogram of each
	// (route, status): resolving label values costs a hash and a locked
	// map lookup in client_golang on every request.
	byRoute sync.Map // routeStatus -> *routeMetrics
}

type routeStatus struct {
	route  string
	status int
}

type routeMetrics struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newMetrics(reg *prometheus.Registry, s *Server) *metrics {
	m := &metrics{
		reg:             reg,
		requests:        prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricRequests, Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		duration:        prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: metricDuration, Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"route"}),
		publishRejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricPublishRejected, Help: "Publishes refused before Raft, by error code."}, []string{"code"}),
		published:       prometheus.NewCounter(prometheus.CounterOpts{Name: metricKeysPublished, Help: "Keys accepted by publishes answered by this node as leader."}),
		chaff:           prometheus.NewCounter(prometheus.CounterOpts{Name: metricChaff, Help: "Decoy publishes answered."}),
		longPolls:       prometheus.NewGauge(prometheus.GaugeOpts{Name: metricLongPolls, Help: "Long polls waiting now."}),
		limited:         prometheus.NewCounter(prometheus.CounterOpts{Name: metricRateLimited, Help: "Requests answered 429 by the rate limits."}),
		shed:            prometheus.NewCounter(prometheus.CounterOpts{Name: metricShed, Help: "Requests refused because the node was at its concurrency limit."}),
	}
	applied := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricAppliedIndex, Help: "Index of the last applied command."},
		func() float64 { return float64(s.store.AppliedIndex()) })
	leader := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricIsLeader, Help: "1 when this node is the Raft leader."},
		func() float64 {
			if s.store.IsLeader() {
				return 1
			}
			return 0
		})
	offHeap := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricStateOffHeap, Help: "Bytes of replicated state held outside the Go heap (key, submission and authorization columns and their indexes)."},
		func() float64 { return float64(fsm.OffHeapBytes()) })
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.publishRejected, m.published, m.chaff, m.longPolls, m.limited, m.shed, applied, leader, offHeap} {
		_ = reg.Register(c)
	}
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe counts one answered request of route ("" when no route matched)
// and its latency.
func (m *metrics) observe(route string, status int, d time.Duration) {
	if route == "" {
		route = routeUnknown
	}
	if status == 0 {
		status = 200
	}
	k := routeStatus{route: route, status: status}
	v, ok := m.byRoute.Load(k)
	if !ok {
		v, _ = m.byRoute.LoadOrStore(k, &routeMetrics{
			requests: m.requests.WithLabelValues(route, strconv.Itoa(status)),
			duration: m.duration.WithLabelValues(route),
		})
	}
	rm := v.(*routeMetrics)
	rm.requests.Inc()
	rm.duration.Observe(d.Seconds())
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}
