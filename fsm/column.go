package fsm

import (
	"runtime"
	"unsafe"
)

// chunkShift sets the number of items per column chunk (16384).
const chunkShift = 14

const chunkLen = 1 << chunkShift

// chunk is a fixed block of column items in memory outside the Go heap.
// The memory is returned to the system by a cleanup once no column or
// frozen view refers to the chunk any more.
type chunk[T any] struct {
	items []T
	// epoch is the column epoch the chunk was made in; a chunk older than
	// the column's epoch may be shared with a frozen view and is copied
	// before it is changed.
	epoch uint64
}

func newChunk[T any](epoch uint64) *chunk[T] {
	var zero T
	mem := mapSlab(chunkLen * int(unsafe.Sizeof(zero)))
	c := &chunk[T]{items: unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(mem))), chunkLen), epoch: epoch}
	runtime.AddCleanup(c, unmapSlab, mem)
	return c
}

// column is an append-mostly array of fixed-size, pointer-free items held
// in chunks outside the Go heap. Growing it never copies. Freezing it is
// O(chunks): items changed after a freeze are copied chunk by chunk
// (copy-on-write), so a frozen view stays a consistent point-in-time copy
// while the column goes on changing. T must hold no pointers.
type column[T any] struct {
	chunks []*chunk[T]
	n      int
	epoch  uint64
}

// colView is a frozen, read-only view of the first n items of a column.
type colView[T any] struct {
	chunks []*chunk[T]
	n      int
}

func (c *column[T]) len() int { return c.n }

// get returns item i.
func (c *column[T]) get(i int) T { return c.chunks[i>>chunkShift].items[i&(chunkLen-1)] }

// ref returns a pointer to item i for reading only; it is valid until the
// column next changes.
func (c *column[T]) ref(i int) *T { return &c.chunks[i>>chunkShift].items[i&(chunkLen-1)] }

// mut returns a pointer to item i for changing it, copying its chunk first
// if a frozen view may share it. Valid until the column next changes.
func (c *column[T]) mut(i int) *T {
	k := i >> chunkShift
	ch := c.chunks[k]
	if ch.epoch != c.epoch {
		cp := newChunk[T](c.epoch)
		copy(cp.items, ch.items)
		c.chunks[k], ch = cp, cp
	}
	return &ch.items[i&(chunkLen-1)]
}

// push appends v. Appending never disturbs a view: views read only the
// items that existed when they were taken.
func (c *column[T]) push(v T) {
	if c.n == len(c.chunks)<<chunkShift {
		c.chunks = append(c.chunks, newChunk[T](c.epoch))
	}
	c.chunks[c.n>>chunkShift].items[c.n&(chunkLen-1)] = v
	c.n++
}

// skipTo grows the column to n items without storing any. Whole chunks
// below n are left unallocated, as if dropped (a pruned prefix read back
// from a snapshot); the other skipped items are zero.
func (c *column[T]) skipTo(n int) {
	for c.n < n {
		if c.n == len(c.chunks)<<chunkShift {
			if n-c.n >= chunkLen {
				c.chunks = append(c.chunks, nil)
				c.n += chunkLen
				continue
			}
			c.chunks = append(c.chunks, newChunk[T](c.epoch))
		}
		c.n = min(n, len(c.chunks)<<chunkShift)
	}
}

// freeze returns a view of the current items and makes every existing
// chunk copy-on-write.
func (c *column[T]) freeze() colView[T] {
	v := colView[T]{chunks: append([]*chunk[T](nil), c.chunks...), n: c.n}
	c.epoch++
	return v
}

// dropChunk releases chunk k whose items are all dead; get on them must
// not be called again. Used to drop a pruned prefix.
func (c *column[T]) dropChunk(k int) { c.chunks[k] = nil }

// chunkDropped reports whether chunk k was released by dropChunk.
func (c *column[T]) chunkDropped(k int) bool { return c.chunks[k] == nil }

func (v colView[T]) len() int { return v.n }

func (v colView[T]) get(i int) T { return v.chunks[i>>chunkShift].items[i&(chunkLen-1)] }

// chunkLive reports whether the chunk holding item i is present in the view.
func (v colView[T]) chunkLive(i int) bool { return v.chunks[i>>chunkShift] != nil }
