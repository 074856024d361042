package history

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"sort"

	"github.com/anishathalye/porcupine"
)

// keyOps lists, for one key, the history positions of the writes naming it
// and of the reads showing it.
type keyOps struct {
	writes  []int
	present []int
}

// partitionByKey projects a history from PorcupineOperations onto each key:
// every write naming the key and every read (seeing the key present or
// absent). Keys whose projections are identical yield one partition. Reads
// that see the key absent, honour their min_index and return before the
// first write of the key is invoked are left out: they are legal at the
// initial state and constrain nothing.
func partitionByKey(history []porcupine.Operation) [][]porcupine.Operation {
	var order []Key
	byKey := make(map[Key]*keyOps)
	get := func(k Key) *keyOps {
		ko, ok := byKey[k]
		if !ok {
			ko = &keyOps{}
			byKey[k] = ko
			order = append(order, k)
		}
		return ko
	}
	var reads []int
	for i, op := range history {
		info := op.Input.(*opInfo)
		if info.kind != KindRead {
			for _, k := range info.keys {
				get(k).writes = append(get(k).writes, i)
			}
			continue
		}
		reads = append(reads, i)
		for _, k := range info.keys {
			ko := get(k)
			if n := len(ko.present); n == 0 || ko.present[n-1] != i {
				ko.present = append(ko.present, i)
			}
		}
	}

	seen := make(map[[sha256.Size]byte]struct{}, len(order))
	var parts [][]porcupine.Operation
	for _, k := range order {
		ko := byKey[k]
		sig := signature(ko)
		if _, dup := seen[sig]; dup {
			continue
		}
		seen[sig] = struct{}{}
		parts = append(parts, projectKey(history, k, ko, reads))
	}
	return parts
}

// signature identifies a key's projection: its writes and the reads that
// see it determine everything else.
func signature(ko *keyOps) [sha256.Size]byte {
	buf := make([]byte, 0, 8*(len(ko.writes)+len(ko.present)+1))
	buf = binary.AppendUvarint(buf, uint64(len(ko.writes)))
	for _, i := range ko.writes {
		buf = binary.AppendUvarint(buf, uint64(i))
	}
	for _, i := range ko.present {
		buf = binary.AppendUvarint(buf, uint64(i))
	}
	return sha256.Sum256(buf)
}

// projectKey builds the partition of key k.
func projectKey(history []porcupine.Operation, k Key, ko *keyOps, reads []int) []porcupine.Operation {
	var seqs []uint64
	firstWrite := int64(math.MaxInt64)
	part := make([]porcupine.Operation, 0, len(ko.writes)+len(reads))
	for _, i := range ko.writes {
		op := history[i]
		info := op.Input.(*opInfo)
		if info.seq != 0 {
			seqs = append(seqs, info.seq)
		}
		firstWrite = min(firstWrite, op.Call)
		part = append(part, porcupine.Operation{
			ClientId: op.ClientId,
			Input:    keyInput{key: k, kind: info.kind, seq: info.seq},
			Output:   keyOutput{},
			Call:     op.Call,
			Return:   op.Return,
		})
	}
	slices.Sort(seqs)
	p := 0 // position in ko.present, which is in history order like reads
	for _, i := range reads {
		op := history[i]
		info := op.Input.(*opInfo)
		present := p < len(ko.present) && ko.present[p] == i
		if present {
			p++
		}
		if !present && op.Return < firstWrite && info.index >= info.minIndex {
			continue
		}
		var cover uint64
		if n := sort.Search(len(seqs), func(j int) bool { return seqs[j] > info.index }); n > 0 {
			cover = seqs[n-1]
		}
		part = append(part, porcupine.Operation{
			ClientId: op.ClientId,
			Input:    keyInput{key: k, kind: KindRead, index: info.index, minIndex: info.minIndex, cover: cover},
			Output:   keyOutput{present: present},
			Call:     op.Call,
			Return:   op.Return,
		})
	}
	return part
}
