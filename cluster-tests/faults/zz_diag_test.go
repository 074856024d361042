package faults

import (
	"errors"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/tekstore/tekstore/cluster-tests/history"
)

func diagLinearizable(t *testing.T, ops []history.Op) {
	if os.Getenv("FAULTS_DIAG") == "" {
		return
	}
	keys := map[history.Key]bool{}
	for _, op := range ops {
		if op.Kind != history.KindRead {
			for _, k := range op.Input.Keys {
				keys[k] = true
			}
		}
	}
	type res struct {
		k history.Key
		d time.Duration
		n int
		err error
	}
	var out []res
	for k := range keys {
		var sub []history.Op
		for _, op := range ops {
			o := op
			if op.Kind == history.KindRead {
				var ks []history.Key
				for _, x := range op.Output.Keys {
					if x == k {
						ks = append(ks, x)
					}
				}
				o.Output.Keys = ks
				sub = append(sub, o)
				continue
			}
			for _, x := range op.Input.Keys {
				if x == k {
					o.Input.Keys = []history.Key{k}
					sub = append(sub, o)
					break
				}
			}
		}
		t0 := time.Now()
		err := history.CheckLinearizable(sub, history.LinearizabilityOptions{Timeout: 3 * time.Second})
		out = append(out, res{k, time.Since(t0), len(sub), err})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].d > out[j].d })
	for _, r := range out[:min(8, len(out))] {
		t.Logf("key %v: %v ops=%d err=%v timeout=%v", r.k, r.d, r.n, r.err, errors.Is(r.err, history.ErrCheckInconclusive))
		if errors.Is(r.err, history.ErrCheckInconclusive) {
			for _, op := range ops {
				hit := false
				for _, x := range op.Input.Keys {
					hit = hit || x == r.k
				}
				if hit {
					t.Logf("   %v ret=%v unknown=%v err=%v", op, time.Duration(op.Return), op.Unknown, op.Err)
				}
			}
		}
	}
}
