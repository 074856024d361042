package history

import (
	"slices"
	"sync"
	"time"
)

// Recorder collects operations from many goroutines.
type Recorder struct {
	start time.Time

	mu  sync.Mutex
	ops []Op
}

// NewRecorder returns an empty recorder whose clock starts now.
func NewRecorder() *Recorder { return &Recorder{start: time.Now()} }

// Now returns monotonic nanoseconds since the recorder was made.
func (r *Recorder) Now() int64 { return int64(time.Since(r.start)) }

// Add records a complete operation as given.
func (r *Recorder) Add(op Op) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
}

// Ops returns a copy of the recorded operations ordered by call time.
func (r *Recorder) Ops() []Op {
	r.mu.Lock()
	ops := slices.Clone(r.ops)
	r.mu.Unlock()
	slices.SortStableFunc(ops, func(a, b Op) int {
		if a.Call != b.Call {
			return cmpInt64(a.Call, b.Call)
		}
		return a.Client - b.Client
	})
	return ops
}

// Begin stamps the call time of an operation about to be sent. Finish it with
// exactly one of Ok, Fail or Unknown; later calls are ignored.
func (r *Recorder) Begin(client int, kind Kind, in Input) *Pending {
	in.Keys = slices.Clone(in.Keys)
	return &Pending{r: r, op: Op{Client: client, Kind: kind, Input: in, Call: r.Now()}}
}

// Pending is an operation that was sent and has not returned yet.
type Pending struct {
	r    *Recorder
	once sync.Once
	op   Op
}

// Ok records that the server confirmed the operation with out.
func (p *Pending) Ok(out Output) {
	out.Keys = slices.Clone(out.Keys)
	p.finish(out, nil, false)
}

// Fail records that the operation certainly had no effect (err says why).
func (p *Pending) Fail(err error) { p.finish(Output{}, err, false) }

// Unknown records that the operation may or may not have taken effect
// (timeout, reset connection, 5xx).
func (p *Pending) Unknown(err error) { p.finish(Output{}, err, true) }

func (p *Pending) finish(out Output, err error, unknown bool) {
	p.once.Do(func() {
		p.op.Output = out
		p.op.Err = err
		p.op.Unknown = unknown
		p.op.Return = p.r.Now()
		p.r.Add(p.op)
	})
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
