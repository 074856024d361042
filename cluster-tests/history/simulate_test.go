package history

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// simulate produces the history of n operations against a simulated Raft
// cluster: a leader appends entries (and unrelated ones, leaving gaps in the
// seqs), three followers apply a lagging prefix, reads are served by a
// random node at its applied index, some writes lose their answer. Every
// client reads with min_index = the last seq it observed.
func simulate(t *testing.T, seed uint64, n int) []Op {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed))
	type entry struct {
		publish bool
		keys    []Key
	}
	var log []entry // log[i] has seq i+1
	applied := []int{0, 0, 0}
	var published []Key
	lastSeen := make(map[int]uint64)
	nextKey := 0
	newKey := func() Key {
		nextKey++
		var k Key
		k[0], k[1], k[2] = byte(nextKey), byte(nextKey>>8), 0x77
		return k
	}
	stateAt := func(index int) []Key {
		present := make(map[Key]bool)
		var order []Key
		for _, e := range log[:index] {
			for _, k := range e.keys {
				if e.publish && !present[k] {
					order = append(order, k)
				}
				present[k] = e.publish
			}
		}
		return slices.DeleteFunc(order, func(k Key) bool { return !present[k] })
	}

	var ops []Op
	now := int64(1000)
	for range n {
		now += 10
		client := rng.IntN(5)
		call := now - rng.Int64N(25)
		ret := now + rng.Int64N(25)
		for f := range applied { // followers catch up at random
			applied[f] = min(len(log), applied[f]+rng.IntN(3))
		}
		if rng.IntN(4) == 0 {
			log = append(log, entry{}) // an unrelated command
		}
		switch r := rng.IntN(10); {
		case r < 4: // publish
			ks := []Key{newKey(), newKey()}
			op := Op{Client: client, Kind: KindPublish, Input: Input{Keys: ks}, Call: call, Return: ret}
			lost := rng.IntN(6) == 0
			if !lost || rng.IntN(2) == 0 {
				log = append(log, entry{publish: true, keys: ks})
				published = append(published, ks...)
			}
			if lost {
				op.Err, op.Unknown = errTimeout, true
			} else {
				op.Output.Seq = uint64(len(log))
				lastSeen[client] = op.Output.Seq
			}
			ops = append(ops, op)
		case r < 5 && len(published) > 0: // revoke one published key
			k := published[rng.IntN(len(published))]
			log = append(log, entry{keys: []Key{k}})
			op := Op{Client: client, Kind: KindRevoke, Input: Input{Keys: []Key{k}}, Output: Output{Seq: uint64(len(log))}, Call: call, Return: ret}
			lastSeen[client] = op.Output.Seq
			ops = append(ops, op)
		default: // read at the leader or a follower, at least min_index
			min := int(lastSeen[client])
			index := len(log)
			if node := rng.IntN(4); node < 3 {
				index = max(applied[node], min)
			}
			ops = append(ops, Op{Client: client, Kind: KindRead,
				Input:  Input{Node: "n", MinIndex: uint64(min)},
				Output: Output{Keys: stateAt(index), Index: uint64(index)},
				Call:   call, Return: ret})
			lastSeen[client] = uint64(index)
		}
	}
	return ops
}
