package faultproxy

import (
	"context"
	"math/rand/v2"
	"time"
)

// SetLatency delays every chunk forwarded in each direction by d plus a
// uniform random offset in [-jitter, +jitter] (never below zero). Order is
// kept: a chunk is never released before the chunk read before it on the same
// connection and direction. A round trip through the proxy thus gains about
// 2*d. The new values apply to bytes read after the call.
func (p *Proxy) SetLatency(d, jitter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = max(d, 0)
	p.jitter = max(jitter, 0)
}

// SetBandwidth caps each direction of the proxy, all connections together, at
// bytesPerSec bytes per second. 0 (or less) removes the cap.
func (p *Proxy) SetBandwidth(bytesPerSec int) {
	p.toTarget.setBandwidth(bytesPerSec)
	p.fromTarget.setBandwidth(bytesPerSec)
}

// Partition resets every live connection and makes the proxy reset each new
// connection right after accepting it, until Heal.
func (p *Proxy) Partition() {
	p.mu.Lock()
	p.setModeLocked(modePartition)
	live := p.snapshotLocked()
	p.mu.Unlock()
	p.resetConns(live)
}

// Blackhole makes the proxy forward nothing until Heal: live connections
// stall with their bytes held, new connections are accepted but the target
// is not dialled. Heal releases the held bytes in order.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setModeLocked(modeBlackhole)
}

// Heal ends a Partition or Blackhole. Latency, bandwidth and drop settings
// are left as they are.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setModeLocked(modeOpen)
}

// ResetAll resets every current connection once. New connections are served
// normally (subject to the other faults).
func (p *Proxy) ResetAll() {
	p.mu.Lock()
	live := p.snapshotLocked()
	p.mu.Unlock()
	p.resetConns(live)
}

// DropProbability makes the proxy reset each newly accepted connection with
// probability prob (clamped to [0, 1]). Live connections are not affected.
func (p *Proxy) DropProbability(prob float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropP = min(max(prob, 0), 1)
}

// resetConns resets the given connections and counts them.
func (p *Proxy) resetConns(live []*conn) {
	for _, c := range live {
		if c.kill(true) {
			p.counters.reset.Add(1)
		}
	}
}

// setModeLocked switches mode and wakes every waiter; p.mu must be held.
func (p *Proxy) setModeLocked(m mode) {
	if p.mode == m {
		return
	}
	p.mode = m
	close(p.changed)
	p.changed = make(chan struct{})
}

// waitOpen blocks while the proxy is blackholed. It returns false when ctx
// ends first.
func (p *Proxy) waitOpen(ctx context.Context) bool {
	for {
		p.mu.Lock()
		m, changed := p.mode, p.changed
		p.mu.Unlock()
		if m != modeBlackhole {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

// sampleDelay draws the delay for one chunk from the current latency setting.
func (p *Proxy) sampleDelay() time.Duration {
	p.mu.Lock()
	d, j := p.latency, p.jitter
	p.mu.Unlock()
	if j > 0 {
		d += time.Duration(rand.Int64N(2*int64(j)+1)) - j
	}
	return max(d, 0)
}
