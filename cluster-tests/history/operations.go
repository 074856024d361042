package history

import (
	"fmt"
	"slices"
	"sort"

	"github.com/anishathalye/porcupine"
)

// PorcupineOperations converts a history into operations for Model: writes
// that may have taken effect and successful reads. Writes with an unknown
// outcome get an infinite return time. A confirmed write whose seq repeats
// that of an earlier-called write of the same kind is treated as having an
// unknown seq. Each read's call time becomes the latest call time of the
// confirmed writes its index covers (see the package documentation). It
// fails, wrapping ErrNotLinearizable, when a read covers a write that was
// invoked only after the read returned.
func PorcupineOperations(ops []Op) ([]porcupine.Operation, error) {
	ops = slices.Clone(ops)
	slices.SortStableFunc(ops, func(a, b Op) int { return cmpInt64(a.Call, b.Call) })

	type written struct {
		seq  uint64
		call int64
		op   Op
	}
	var writes []written
	firstOfSeq := make(map[uint64]Kind)
	out := make([]porcupine.Operation, 0, len(ops))
	for _, op := range ops {
		if op.Kind == KindRead || !op.MayHaveTakenEffect() {
			continue
		}
		info := &opInfo{kind: op.Kind, keys: op.Input.Keys}
		ret := op.Return
		if op.Unknown {
			ret = infinity
		} else if s := op.Output.Seq; s != 0 {
			if k, dup := firstOfSeq[s]; !dup || k != op.Kind {
				firstOfSeq[s] = op.Kind
				info.seq = s
				writes = append(writes, written{seq: s, call: op.Call, op: op})
			}
		}
		out = append(out, porcupine.Operation{ClientId: op.Client, Input: info, Call: op.Call, Return: ret})
	}

	// Latest call among the confirmed writes of seq <= s, by seq.
	sort.SliceStable(writes, func(i, j int) bool { return writes[i].seq < writes[j].seq })
	latest := make([]int, len(writes)) // index into writes of the latest call so far
	for i := range writes {
		latest[i] = i
		if i > 0 && writes[latest[i-1]].call > writes[i].call {
			latest[i] = latest[i-1]
		}
	}
	var origin int64
	if len(ops) > 0 {
		origin = ops[0].Call
	}
	for _, op := range ops {
		if op.Kind != KindRead || !op.Succeeded() {
			continue
		}
		call := origin
		n := sort.Search(len(writes), func(i int) bool { return writes[i].seq > op.Output.Index })
		if n > 0 {
			w := writes[latest[n-1]]
			if w.call > op.Return {
				return nil, fmt.Errorf("%w: %v covers %v, which was invoked after the read returned",
					ErrNotLinearizable, op, w.op)
			}
			call = w.call
		}
		info := &opInfo{kind: KindRead, keys: op.Output.Keys, index: op.Output.Index, minIndex: op.Input.MinIndex}
		out = append(out, porcupine.Operation{ClientId: op.Client, Input: info, Call: call, Return: op.Return})
	}
	return out, nil
}
