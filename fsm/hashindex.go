package fsm

import (
	"runtime"
	"unsafe"
)

// hashIndex maps a key to a uint32 reference (an item number in a column)
// with open addressing and linear probing. It stores only the references,
// in memory outside the Go heap (4 bytes per slot, at most 3/4 full), and
// beside each a one-byte tag from the top of the key's hash; the keys
// themselves are read back from the column through the match and hashOf
// functions, so an index costs 7-10 bytes per item instead of a Go map's
// 40 or more. The tag spares the column read (a cache miss) for all but
// 1/256 of the other keys met on a probe run: most look-ups of a new key
// read no column at all. Its layout is not part of the replicated state:
// only what it finds is.
type hashIndex struct {
	slots *slotSlab
	n     int
	// hashOf recomputes the hash of an indexed reference when the table
	// grows or an item is deleted.
	hashOf func(ref uint32) uint64
}

// slotSlab holds the slots and their tags (tags[i] belongs to s[i], and
// means nothing where s[i] is 0); a cleanup unmaps them once the index
// dropped it.
type slotSlab struct {
	s    []uint32
	tags []uint8
}

// tagOf is the tag of hash h: its top byte (the slot comes from the low
// bits).
func tagOf(h uint64) uint8 { return uint8(h >> 56) }

const minIndexSlots = 1024

func newHashIndex(hashOf func(ref uint32) uint64, capacity int) *hashIndex {
	size := minIndexSlots
	for size*3/4 < capacity {
		size *= 2
	}
	return &hashIndex{slots: newSlotSlab(size), hashOf: hashOf}
}

func newSlotSlab(size int) *slotSlab {
	mem := mapSlab(size * 5)
	ss := &slotSlab{s: unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(mem))), size), tags: mem[size*4 : size*5 : size*5]}
	runtime.AddCleanup(ss, unmapSlab, mem)
	return ss
}

func (x *hashIndex) len() int { return x.n }

// find returns the reference whose key has hash h and satisfies match.
func (x *hashIndex) find(h uint64, match func(ref uint32) bool) (uint32, bool) {
	s, tags := x.slots.s, x.slots.tags
	mask := uint64(len(s) - 1)
	tag := tagOf(h)
	for i := h & mask; ; i = (i + 1) & mask {
		v := s[i]
		if v == 0 {
			return 0, false
		}
		if tags[i] == tag && match(v-1) {
			return v - 1, true
		}
	}
}

// insert adds ref under hash h. The caller has checked that no equal key
// is present.
func (x *hashIndex) insert(h uint64, ref uint32) {
	if (x.n+1)*4 > len(x.slots.s)*3 {
		x.grow()
	}
	s := x.slots.s
	mask := uint64(len(s) - 1)
	i := h & mask
	for s[i] != 0 {
		i = (i + 1) & mask
	}
	s[i] = ref + 1
	x.slots.tags[i] = tagOf(h)
	x.n++
}

// remove deletes the reference with hash h that satisfies match, shifting
// later members of its probe run back so that no tombstones are needed.
func (x *hashIndex) remove(h uint64, match func(ref uint32) bool) bool {
	s, tags := x.slots.s, x.slots.tags
	mask := uint64(len(s) - 1)
	i := h & mask
	tag := tagOf(h)
	for {
		v := s[i]
		if v == 0 {
			return false
		}
		if tags[i] == tag && match(v-1) {
			break
		}
		i = (i + 1) & mask
	}
	// Backward-shift deletion: move each later member of the run into the
	// hole if the hole lies on its probe path.
	hole := i
	for j := (i + 1) & mask; s[j] != 0; j = (j + 1) & mask {
		home := x.hashOf(s[j]-1) & mask
		if (j-home)&mask >= (j-hole)&mask {
			s[hole], tags[hole] = s[j], tags[j]
			hole = j
		}
	}
	s[hole] = 0
	x.n--
	return true
}

// remap replaces every reference r by f(r), in place; f must keep the
// references' keys (and so their hashes) unchanged.
func (x *hashIndex) remap(f func(ref uint32) uint32) {
	s := x.slots.s
	for i, v := range s {
		if v != 0 {
			s[i] = f(v-1) + 1
		}
	}
}

func (x *hashIndex) grow() {
	oldSlab := x.slots
	old := oldSlab.s
	x.slots = newSlotSlab(len(old) * 2)
	s, tags := x.slots.s, x.slots.tags
	mask := uint64(len(s) - 1)
	for j, v := range old {
		if v == 0 {
			continue
		}
		h := x.hashOf(v - 1)
		i := h & mask
		for s[i] != 0 {
			i = (i + 1) & mask
		}
		s[i], tags[i] = v, oldSlab.tags[j]
	}
	runtime.KeepAlive(oldSlab) // old points into its memory
}
