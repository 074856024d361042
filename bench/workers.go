package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// runWorkers runs op from conc goroutines until dur passes or maxOps
// operations were started (maxOps <= 0: no count bound). Each op's latency
// or error is recorded.
func runWorkers(ctx context.Context, conc int, dur time.Duration, maxOps int, op func(ctx context.Context, worker, i int) error) (*recorder, time.Duration) {
	rec := &recorder{}
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if maxOps > 0 && i >= maxOps {
					return
				}
				t0 := time.Now()
				err := op(ctx, w, i)
				if ctx.Err() != nil && err != nil {
					return // cut by the deadline: neither success nor failure
				}
				if err != nil {
					rec.fail(err)
				} else {
					rec.ok(time.Since(t0))
				}
			}
		}(w)
	}
	wg.Wait()
	return rec, time.Since(start)
}
