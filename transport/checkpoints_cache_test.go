package transport

import (
	"bytes"
	"testing"

	"github.com/tekstore/tekstore/fsm"
)

func TestCheckpointCacheBoundsAndSweep(t *testing.T) {
	cks := []*fsm.Checkpoint{{N: 1}, {N: 2}, {N: 3}, {N: 4}}
	body := func(ck *fsm.Checkpoint, file int) *renderedBody {
		return newRendered(bodyKey{n: ck.N, file: file}, ck, bytes.Repeat([]byte{byte(ck.N)}, 40))
	}
	c := newCheckpointCache(100)
	has := func(ck *fsm.Checkpoint, file int) bool {
		_, ok := c.body(bodyKey{n: ck.N, file: file}, ck)
		return ok
	}
	c.put(body(cks[0], fileJSON))
	c.put(body(cks[1], fileJSON))
	c.put(body(cks[2], fileJSON)) // 120 bytes > 100: the oldest goes
	if has(cks[0], fileJSON) || !has(cks[1], fileJSON) || !has(cks[2], fileJSON) {
		t.Fatalf("LRU did not evict the least recently used body")
	}
	if c.size != 80 {
		t.Fatalf("size = %d, want 80", c.size)
	}
	// The digest outlives the body.
	if _, ok := c.digest(cks[0]); !ok {
		t.Fatalf("digest of an evicted body is gone")
	}
	// Using 2 makes 3 the least recently used.
	has(cks[1], fileJSON)
	c.put(body(cks[3], 1))
	if has(cks[2], fileJSON) || !has(cks[1], fileJSON) || !has(cks[3], 1) {
		t.Fatalf("LRU order not kept")
	}
	// Another checkpoint value under the same number (a restored state) is a miss.
	if _, ok := c.body(bodyKey{n: 2, file: fileJSON}, &fsm.Checkpoint{N: 2}); ok {
		t.Fatalf("a body rendered from another checkpoint value was served")
	}
	if _, ok := c.digest(&fsm.Checkpoint{N: 1}); ok {
		t.Fatalf("a digest of another checkpoint value was served")
	}
	// Sweep keeps only what the listing still holds.
	c.put(body(cks[1], fileJSON))
	c.sweep(cks[3:])
	if has(cks[1], fileJSON) || !has(cks[3], 1) {
		t.Fatalf("sweep kept a checkpoint that left the listing")
	}
	for _, ck := range cks[:3] {
		if _, ok := c.digest(ck); ok {
			t.Fatalf("sweep kept the digest of checkpoint %d", ck.N)
		}
	}
	if c.size != 40 || len(c.bodies) != 1 || c.lru.Len() != 1 {
		t.Fatalf("after sweep: size %d, %d bodies, lru %d", c.size, len(c.bodies), c.lru.Len())
	}
	// A body larger than the bound is not kept; a disabled cache keeps none.
	c.put(newRendered(bodyKey{n: 4, file: 2}, cks[3], make([]byte, 101)))
	if has(cks[3], 2) {
		t.Fatalf("an oversized body was cached")
	}
	off := newCheckpointCache(-1)
	off.put(body(cks[0], fileJSON))
	if _, ok := off.body(bodyKey{n: 1}, cks[0]); ok {
		t.Fatalf("a disabled cache kept a body")
	}
	if _, ok := off.digest(cks[0]); !ok {
		t.Fatalf("a disabled body cache still keeps digests")
	}
}
