package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"sync"
	"text/tabwriter"
	"time"
)

// Result is the outcome of one scenario run.
type Result struct {
	Scenario   string             `json:"scenario"`
	Ops        int                `json:"ops"`
	Errors     int                `json:"errors"`
	Seconds    float64            `json:"seconds"`
	Throughput float64            `json:"throughputPerSec"`
	P50Ms      float64            `json:"p50Ms"`
	P90Ms      float64            `json:"p90Ms"`
	P99Ms      float64            `json:"p99Ms"`
	Extra      map[string]float64 `json:"extra,omitempty"`
	FirstError string             `json:"firstError,omitempty"`
}

// recorder collects latencies from many goroutines.
type recorder struct {
	mu       sync.Mutex
	lat      []time.Duration
	errs     int
	firstErr string
}

func (r *recorder) ok(d time.Duration) {
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.mu.Unlock()
}

func (r *recorder) fail(err error) {
	r.mu.Lock()
	r.errs++
	if r.firstErr == "" {
		r.firstErr = err.Error()
	}
	r.mu.Unlock()
}

// result summarises the recorded operations over elapsed.
func (r *recorder) result(name string, elapsed time.Duration) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	res := Result{Scenario: name, Ops: len(r.lat), Errors: r.errs, Seconds: elapsed.Seconds(), FirstError: r.firstErr}
	if elapsed > 0 {
		res.Throughput = float64(len(r.lat)) / elapsed.Seconds()
	}
	res.P50Ms, res.P90Ms, res.P99Ms = pct(r.lat, 0.50), pct(r.lat, 0.90), pct(r.lat, 0.99)
	return res
}

func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return float64(sorted[i].Microseconds()) / 1000
}

// PrintTable writes results as an aligned table.
func PrintTable(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tOPS\tERRORS\tSECONDS\tOPS/S\tP50 MS\tP90 MS\tP99 MS\tEXTRA")
	for _, r := range results {
		extra := ""
		keys := make([]string, 0, len(r.Extra))
		for k := range r.Extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			extra += fmt.Sprintf("%s=%.4g ", k, r.Extra[k])
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.0f\t%.2f\t%.2f\t%.2f\t%s\n",
			r.Scenario, r.Ops, r.Errors, r.Seconds, r.Throughput, r.P50Ms, r.P90Ms, r.P99Ms, extra)
	}
	tw.Flush()
	for _, r := range results {
		if r.FirstError != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", r.Scenario, r.FirstError)
		}
	}
}

// PrintJSON writes results as JSON.
func PrintJSON(w io.Writer, results []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}
