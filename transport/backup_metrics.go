package transport

import "github.com/prometheus/client_golang/prometheus"

// metricJournalBytes is the size of the node's event journal.
const metricJournalBytes = "tekstore_journal_bytes"

// journalSizer is implemented by stores that keep an event journal.
type journalSizer interface {
	JournalBytes() int64
}

// registerJournalMetrics adds tekstore_journal_bytes when the store keeps
// an event journal.
func registerJournalMetrics(reg *prometheus.Registry, store Store) {
	js, ok := store.(journalSizer)
	if !ok {
		return
	}
	_ = reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: metricJournalBytes, Help: "Size on disk of the event journal's segment files.",
	}, func() float64 { return float64(js.JournalBytes()) }))
}
