package faultproxy

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// burstDivisor sets the token bucket size to a tenth of a second of traffic,
// so a rate change takes effect within about 100ms.
const burstDivisor = 10

// maxBurst bounds the token bucket size in bytes.
const maxBurst = 64 << 10

// direction holds the shared state of one direction of a proxy: its
// bandwidth cap and the bytes forwarded.
type direction struct {
	mu      sync.Mutex
	limiter *rate.Limiter // nil when unlimited

	bytes atomic.Int64
}

// setBandwidth installs a fresh token bucket for bytesPerSec (0 = unlimited).
func (d *direction) setBandwidth(bytesPerSec int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if bytesPerSec <= 0 {
		d.limiter = nil
		return
	}
	burst := min(max(bytesPerSec/burstDivisor, 1), maxBurst)
	d.limiter = rate.NewLimiter(rate.Limit(bytesPerSec), burst)
}

// wait blocks until n bytes may pass, taking tokens at most one bucket at a
// time and picking up rate changes between buckets.
func (d *direction) wait(ctx context.Context, n int) error {
	for n > 0 {
		d.mu.Lock()
		lim := d.limiter
		d.mu.Unlock()
		if lim == nil {
			return nil
		}
		take := min(n, lim.Burst())
		if err := lim.WaitN(ctx, take); err != nil {
			return fmt.Errorf("faultproxy: bandwidth wait: %w", err)
		}
		n -= take
	}
	return nil
}
