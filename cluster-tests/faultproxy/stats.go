package faultproxy

import "sync/atomic"

// Stats is a snapshot of a proxy's counters.
type Stats struct {
	// BytesToTarget counts bytes written to the target (client -> target).
	BytesToTarget int64
	// BytesFromTarget counts bytes written back to clients (target -> client).
	BytesFromTarget int64
	// Accepted counts connections accepted by the listener, including those
	// rejected at once.
	Accepted int64
	// Rejected counts accepted connections reset at once, because the proxy
	// was partitioned or by DropProbability.
	Rejected int64
	// Reset counts live connections cut by Partition or ResetAll.
	Reset int64
	// Active is the number of connections being served now.
	Active int
}

// counters are the proxy's connection counters.
type counters struct {
	accepted atomic.Int64
	rejected atomic.Int64
	reset    atomic.Int64
}

// Stats returns the proxy's counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	active := len(p.conns)
	p.mu.Unlock()
	return Stats{
		BytesToTarget:   p.toTarget.bytes.Load(),
		BytesFromTarget: p.fromTarget.bytes.Load(),
		Accepted:        p.counters.accepted.Load(),
		Rejected:        p.counters.rejected.Load(),
		Reset:           p.counters.reset.Load(),
		Active:          active,
	}
}
