package history

import (
	"fmt"
	"math"

	"github.com/anishathalye/porcupine"
)

// opInfo is the porcupine input of one whole-history operation, before it
// is projected onto single keys by partitionByKey.
type opInfo struct {
	kind     Kind
	keys     []Key  // write: keys written; read: keys seen
	seq      uint64 // confirmed write: its seq; 0 = not known
	index    uint64 // read: the node's index
	minIndex uint64 // read: the min_index asked for
}

// keyInput is an operation projected onto one key.
type keyInput struct {
	key      Key
	kind     Kind
	seq      uint64 // write: confirmed seq, 0 = not known
	index    uint64 // read
	minIndex uint64 // read
	cover    uint64 // read: highest confirmed write seq on key that is <= index
}

// keyOutput is what a read saw of one key (writes have no output).
type keyOutput struct {
	present bool
}

// keyState is the model state of one key. Linearized operations occupy log
// positions: a write its seq, a read with index I the point just after
// entry I.
type keyState struct {
	present bool
	last    uint64 // seq of the last confirmed write linearized
	hi      uint64 // lower bound of the log position of the last operation linearized
}

// Model returns the porcupine model of the public key set, partitioned by
// key. Its operations come from PorcupineOperations; see the package
// documentation for the property it checks.
func Model() porcupine.Model {
	return porcupine.Model{
		Partition:         partitionByKey,
		Init:              func() any { return keyState{} },
		Step:              step,
		Hash:              hashState,
		DescribeOperation: describeOperation,
		DescribeState:     describeState,
	}
}

// partModel checks operations already projected onto keys, grouping them by
// key (used to check and draw single partitions).
func partModel() porcupine.Model {
	m := Model()
	m.Partition = groupByKey
	return m
}

// step is the sequential specification of one key: operations are
// linearized in log order (writes by strictly increasing seq, reads by
// non-decreasing index), and a read sees the presence left by the writes
// before it.
func step(state, input, output any) (bool, any) {
	st := state.(keyState)
	in := input.(keyInput)
	switch in.kind {
	case KindPublish, KindRevoke:
		next := st
		next.present = in.kind == KindPublish
		if in.seq == 0 {
			// Unknown seq: the least it can be is just after hi.
			next.hi = st.hi + 1
			return true, next
		}
		if in.seq <= st.hi {
			return false, st
		}
		next.last, next.hi = in.seq, in.seq
		return true, next
	case KindRead:
		out := output.(keyOutput)
		ok := in.index >= in.minIndex &&
			in.index >= st.hi &&
			st.last >= in.cover &&
			st.present == out.present
		next := st
		next.hi = in.index
		return ok, next
	}
	return false, st
}

func hashState(state any) uint64 {
	st := state.(keyState)
	h := st.last*1000003 ^ st.hi*0x9e3779b97f4a7c15
	if st.present {
		h = ^h
	}
	return h
}

func describeOperation(input, output any) string {
	in := input.(keyInput)
	if in.kind == KindRead {
		seen := "absent"
		if output.(keyOutput).present {
			seen = "present"
		}
		return fmt.Sprintf("read %v @%d (min %d) -> %s", in.key, in.index, in.minIndex, seen)
	}
	if in.seq == 0 {
		return fmt.Sprintf("%s %v (seq unknown)", in.kind, in.key)
	}
	return fmt.Sprintf("%s %v seq %d", in.kind, in.key, in.seq)
}

func describeState(state any) string {
	st := state.(keyState)
	return fmt.Sprintf("present=%v last=%d hi>=%d", st.present, st.last, st.hi)
}

// groupByKey splits projected operations by key.
func groupByKey(history []porcupine.Operation) [][]porcupine.Operation {
	idx := make(map[Key]int)
	var out [][]porcupine.Operation
	for _, op := range history {
		k := op.Input.(keyInput).key
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], op)
	}
	return out
}

// infinity is the return time of an operation whose outcome is unknown.
const infinity = math.MaxInt64
