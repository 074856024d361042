package transport

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/secrets"
)

// discardWriter is a ResponseWriter that keeps nothing, so that a benchmark
// measures the API's own work per request, not a recorder's.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkKeysHandler is the per-request cost of a cached delta read
// through the whole handler chain (budgets, routing, query, headers,
// metrics), without the network: with the read budget lifted (as
// tekstore bench and scripts/bench-wrk.sh run) and with a budget that is
// checked but never runs out.
func BenchmarkKeysHandler(b *testing.B) {
	b.Run("budget=off", func(b *testing.B) { benchKeysHandler(b, -1) })
	b.Run("budget=on", func(b *testing.B) { benchKeysHandler(b, 1e12) })
}

func benchKeysHandler(b *testing.B, readsPerSec float64) {
	api := New(Config{
		Store:          newFakeStore(b, "n1"),
		AdminTokenHash: secrets.TokenHash(testAdminToken),
		Pepper:         secrets.DerivePepper(testAdminToken),
		Logger:         zerolog.Nop(),
		Limits:         Limits{ReadsPerSec: readsPerSec, ReadsBurst: 1 << 30},
	})
	h := api.Handler()
	r := httptest.NewRequest(http.MethodGet, "/v1/keys?since=0", nil)
	r.RemoteAddr = "192.0.2.7:40000"
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}
