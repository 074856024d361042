package faults

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tekstore/tekstore/client"
	"github.com/tekstore/tekstore/cluster-tests/history"
)

// WorkloadConfig tunes a Workload; zero fields take the defaults.
type WorkloadConfig struct {
	// Publishers is the number of concurrent publishers (default 4).
	Publishers int
	// PublishPause is each publisher's think time between uploads
	// (default 50 ms).
	PublishPause time.Duration
	// RevokeOneIn sends one in N confirmed submissions to the revoker
	// (default 4): a revisionToken de-registration, a provider rollback
	// or a single-key revocation, in turn.
	RevokeOneIn int
	// ReadPause is each reader's pause between reads (default 100 ms).
	ReadPause time.Duration
	// ReadLimit is the page size of reads (default 250: reads page).
	ReadLimit int
	// AttemptTimeout bounds one HTTP request (default 4 s).
	AttemptTimeout time.Duration
	// OpDeadline bounds the retries of one logical write (default 30 s).
	OpDeadline time.Duration
	// Seed drives the keys and choices.
	Seed uint64
	// Exclude holds keys of earlier runs on the same cluster: reads leave
	// them out of the recorded sets (a soak checks epoch by epoch).
	Exclude map[history.Key]struct{}
}

func (c *WorkloadConfig) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Publishers == 0 {
		c.Publishers = 4
	}
	if c.RevokeOneIn == 0 {
		c.RevokeOneIn = 4
	}
	if c.ReadLimit == 0 {
		c.ReadLimit = 250
	}
	def(&c.PublishPause, 50*time.Millisecond)
	def(&c.ReadPause, 100*time.Millisecond)
	def(&c.AttemptTimeout, 4*time.Second)
	def(&c.OpDeadline, 30*time.Second)
}

// Client ids in the history: publishers from 1, revokers from 100,
// readers from 200, final reads from 900.
const (
	publisherBase = 1
	revokerBase   = 100
	readerBase    = 200
	finalBase     = 900
)

// Workload drives concurrent clients against a Cluster and records every
// operation in a history.Recorder.
type Workload struct {
	c   *Cluster
	cfg WorkloadConfig
	rec *history.Recorder

	provToken string
	codes     chan string
	subs      chan submission
	maxSeq    atomic.Uint64 // highest seq or index any client saw

	mu       sync.Mutex
	counts   map[string]int
	attempts []pubAttempt
	sent     map[history.Key]struct{}
}

// pubAttempt is one publish request: when it was sent and answered.
type pubAttempt struct {
	start, end int64
	ok         bool
}

// submission is a confirmed publish the revoker may take back.
type submission struct {
	id, token string
	keys      []client.Key
}

// NewWorkload prepares a workload: it creates a provider and issues a
// first stack of codes (retrying through faults until ctx ends).
func NewWorkload(ctx context.Context, c *Cluster, rec *history.Recorder, cfg WorkloadConfig) (*Workload, error) {
	cfg.setDefaults()
	w := &Workload{c: c, cfg: cfg, rec: rec, codes: make(chan string, 4000), subs: make(chan submission, 1024),
		counts: make(map[string]int), sent: make(map[history.Key]struct{})}
	var prov client.NewProvider
	err := w.retry(ctx, func(cl *client.Client, actx context.Context) error {
		var err error
		prov, err = cl.WithToken(AdminToken).AddProvider(actx, fmt.Sprintf("faults-%d", cfg.Seed), 1_000_000)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create provider: %w", err)
	}
	w.provToken = prov.Token
	// A node authenticates tokens from its local state: wait until every
	// member has applied the new provider before using its token anywhere.
	if _, err := c.WaitQuiet(ctx, time.Minute); err != nil {
		return nil, err
	}
	if err := w.issueCodes(ctx, 1000); err != nil {
		return nil, err
	}
	return w, nil
}

// Recorder returns the workload's history recorder.
func (w *Workload) Recorder() *history.Recorder { return w.rec }

// MaxSeq returns the highest seq or applied index any client has seen.
func (w *Workload) MaxSeq() uint64 { return w.maxSeq.Load() }

// Run runs the clients until ctx ends, then lets writes in flight finish
// (each within its OpDeadline) and returns.
func (w *Workload) Run(ctx context.Context) {
	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	for i := range w.cfg.Publishers {
		run(func() { w.publisher(ctx, publisherBase+i) })
	}
	run(func() { w.revoker(ctx, revokerBase) })
	run(func() { w.revoker(ctx, revokerBase+1) })
	run(func() { w.refillCodes(ctx) })
	for i, id := range w.c.IDs() {
		run(func() { w.reader(ctx, readerBase+i, id) })
	}
	wg.Wait()
}

// Sent returns every key this workload tried to publish.
func (w *Workload) Sent() map[history.Key]struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[history.Key]struct{}, len(w.sent))
	for k := range w.sent {
		out[k] = struct{}{}
	}
	return out
}

// count adds one to a named counter.
func (w *Workload) count(name string) {
	w.mu.Lock()
	w.counts[name]++
	w.mu.Unlock()
}

// Counts returns the operation counters by kind and outcome.
func (w *Workload) Counts() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]int, len(w.counts))
	for k, v := range w.counts {
		out[k] = v
	}
	return out
}

// noteSeq raises the highest seq seen.
func (w *Workload) noteSeq(s uint64) {
	for {
		cur := w.maxSeq.Load()
		if s <= cur || w.maxSeq.CompareAndSwap(cur, s) {
			return
		}
	}
}

// rng returns a deterministic generator for one client.
func (w *Workload) rng(clientID int) *rand.Rand {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], w.cfg.Seed)
	binary.LittleEndian.PutUint64(seed[8:], uint64(clientID))
	return rand.New(rand.NewChaCha8(seed))
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
