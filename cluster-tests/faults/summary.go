package faults

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tekstore/tekstore/cluster-tests/history"
)

// Unavailability is how long writes failed after one leader kill: from the
// kill to the end of the first successful publish attempt sent after it.
type Unavailability struct {
	KilledAt time.Duration
	Gap      time.Duration
	// Open is set when no publish succeeded after the kill before the run
	// ended; Gap is then a lower bound.
	Open bool
}

// Summary is one run's figures.
type Summary struct {
	Ops            map[string]int
	Faults         map[FaultKind]int
	Unavailability []Unavailability
	// PublishP50/P99/Max: confirmed publishes, first call to final answer
	// (retries included).
	PublishP50, PublishP99, PublishMax time.Duration
	// AttemptP50/P99: successful single publish requests.
	AttemptP50, AttemptP99 time.Duration
	Verdict                *Verdict
}

// Summarize computes a run's figures from the workload, the nemesis and
// the verdict (nil when the run did not get that far).
func Summarize(w *Workload, n *Nemesis, v *Verdict) Summary {
	s := Summary{Ops: w.Counts(), Faults: n.Counts(), Verdict: v}
	var lat []time.Duration
	for _, op := range w.rec.Ops() {
		if op.Kind == history.KindPublish && op.Succeeded() {
			lat = append(lat, time.Duration(op.Return-op.Call))
		}
	}
	s.PublishP50, s.PublishP99, s.PublishMax = Quantile(lat, 0.50), Quantile(lat, 0.99), Quantile(lat, 1)
	w.mu.Lock()
	attempts := slices.Clone(w.attempts)
	w.mu.Unlock()
	var ok []time.Duration
	var end int64
	for _, a := range attempts {
		if a.ok {
			ok = append(ok, time.Duration(a.end-a.start))
		}
		end = max(end, a.end)
	}
	s.AttemptP50, s.AttemptP99 = Quantile(ok, 0.50), Quantile(ok, 0.99)
	for _, k := range n.LeaderKills() {
		u := Unavailability{KilledAt: k, Open: true, Gap: time.Duration(end) - k}
		for _, a := range attempts {
			if a.ok && time.Duration(a.start) >= k && (u.Open || time.Duration(a.end)-k < u.Gap) {
				u.Gap, u.Open = time.Duration(a.end)-k, false
			}
		}
		s.Unavailability = append(s.Unavailability, u)
	}
	return s
}

// LongestUnavailability returns the longest write gap after a leader kill.
func (s Summary) LongestUnavailability() (time.Duration, bool) {
	var longest time.Duration
	found := false
	for _, u := range s.Unavailability {
		if u.Gap > longest || !found {
			longest, found = u.Gap, true
		}
	}
	return longest, found
}

// Quantile returns the q-quantile of ds (nearest rank; 0 when empty).
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	i := int(q*float64(len(ds))+0.5) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// String formats the summary for logs and the soak's report.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "operations:")
	for _, k := range slices.Sorted(maps.Keys(s.Ops)) {
		fmt.Fprintf(&b, " %s=%d", k, s.Ops[k])
	}
	fmt.Fprintf(&b, "\nfaults:")
	for _, k := range slices.Sorted(maps.Keys(s.Faults)) {
		fmt.Fprintf(&b, " %s=%d", k, s.Faults[k])
	}
	fmt.Fprintf(&b, "\npublish latency (confirmed, retries included): p50 %v p99 %v max %v; single successful request: p50 %v p99 %v\n",
		s.PublishP50.Round(time.Millisecond), s.PublishP99.Round(time.Millisecond), s.PublishMax.Round(time.Millisecond),
		s.AttemptP50.Round(time.Millisecond), s.AttemptP99.Round(time.Millisecond))
	if d, ok := s.LongestUnavailability(); ok {
		fmt.Fprintf(&b, "write unavailability after %d leader kill(s): longest %v\n", len(s.Unavailability), d.Round(time.Millisecond))
	}
	if v := s.Verdict; v != nil {
		fmt.Fprintf(&b, "checks: %d/%d passed over %d operations (final index %d, %d keys, checked in %v)\n",
			v.Passed(), len(v.Checks), v.Ops, v.Index, len(v.Final), v.CheckTime.Round(time.Millisecond))
		for _, c := range v.Checks {
			res := "ok"
			if c.Err != nil {
				res = "FAILED: " + c.Err.Error()
			}
			fmt.Fprintf(&b, "  %-32s %s\n", c.Name, res)
		}
	}
	return b.String()
}
