package transport

import (
	"container/list"
	"sync"

	"github.com/tekstore/tekstore/fsm"
)

// fileJSON is the file number of a checkpoint's JSON body in the cache;
// export files use their 1-based batch number.
const fileJSON = 0

// bodyKey names one rendered body: checkpoint n, file (fileJSON or a batch).
type bodyKey struct {
	n    uint32
	file int
}

// renderedBody is one immutable rendered answer.
type renderedBody struct {
	key  bodyKey
	ck   *fsm.Checkpoint // the checkpoint it was rendered from
	body []byte
	etag string // quoted sha256 hex of body
}

// listingKey identifies one version of the checkpoint listing. Checkpoints
// are only appended (seal) and dropped from the front (retention); a
// restored snapshot brings new pointers. The cache holds the pointers, so
// they cannot be reused for other checkpoints while compared.
type listingKey struct {
	count       int
	first, last *fsm.Checkpoint
}

func keyOfListing(cks []*fsm.Checkpoint) listingKey {
	if len(cks) == 0 {
		return listingKey{}
	}
	return listingKey{count: len(cks), first: cks[0], last: cks[len(cks)-1]}
}

// checkpointCache keeps what the checkpoint endpoints render. Checkpoints
// are immutable, so nothing expires by age: the JSON digest of every listed
// checkpoint is kept (32 bytes each) for the listing, rendered bodies sit in
// an LRU bounded by total bytes, and entries of checkpoints that left the
// listing are dropped whenever the listing changes. Entries are tied to the
// *fsm.Checkpoint they came from, so a state restored from a snapshot is
// rendered afresh (to the same bytes).
type checkpointCache struct {
	maxBytes int

	mu      sync.Mutex
	digests map[uint32]renderedBody // body nil: only n, ck and etag kept
	bodies  map[bodyKey]*list.Element
	lru     *list.List // of *renderedBody, most recently used first
	size    int

	listKey  listingKey
	listing  *renderedBody
	indexKey listingKey
	index    *renderedBody
}

func newCheckpointCache(maxBytes int) *checkpointCache {
	return &checkpointCache{
		maxBytes: maxBytes,
		digests:  map[uint32]renderedBody{},
		bodies:   map[bodyKey]*list.Element{},
		lru:      list.New(),
	}
}

// body returns the cached body for key rendered from ck.
func (c *checkpointCache) body(key bodyKey, ck *fsm.Checkpoint) (*renderedBody, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.bodies[key]
	if !ok {
		return nil, false
	}
	rb := el.Value.(*renderedBody)
	if rb.ck != ck {
		c.removeLocked(el)
		return nil, false
	}
	c.lru.MoveToFront(el)
	return rb, true
}

// put stores a rendered body (and, for JSON, its digest), evicting the least
// recently used bodies beyond the byte bound. A body larger than the bound
// is not kept.
func (c *checkpointCache) put(rb *renderedBody) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rb.key.file == fileJSON {
		c.digests[rb.key.n] = renderedBody{key: rb.key, ck: rb.ck, etag: rb.etag}
	}
	if el, ok := c.bodies[rb.key]; ok {
		c.removeLocked(el)
	}
	if c.maxBytes < 0 || len(rb.body) > c.maxBytes {
		return
	}
	c.bodies[rb.key] = c.lru.PushFront(rb)
	c.size += len(rb.body)
	for c.size > c.maxBytes {
		c.removeLocked(c.lru.Back())
	}
}

// digest returns the cached JSON etag of ck.
func (c *checkpointCache) digest(ck *fsm.Checkpoint) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.digests[ck.N]
	if !ok || d.ck != ck {
		return "", false
	}
	return d.etag, true
}

func (c *checkpointCache) removeLocked(el *list.Element) {
	rb := c.lru.Remove(el).(*renderedBody)
	delete(c.bodies, rb.key)
	c.size -= len(rb.body)
}

// sweep drops everything not rendered from one of cks, the current listing.
func (c *checkpointCache) sweep(cks []*fsm.Checkpoint) {
	live := make(map[uint32]*fsm.Checkpoint, len(cks))
	for _, ck := range cks {
		live[ck.N] = ck
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for n, d := range c.digests {
		if live[n] != d.ck {
			delete(c.digests, n)
		}
	}
	for key, el := range c.bodies {
		if live[key.n] != el.Value.(*renderedBody).ck {
			c.removeLocked(el)
		}
	}
}

// cachedListing returns the listing or index rendered for key.
func (c *checkpointCache) cachedListing(index bool, key listingKey) (*renderedBody, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if index {
		return c.index, c.index != nil && c.indexKey == key
	}
	return c.listing, c.listing != nil && c.listKey == key
}

// putListing stores the listing or index rendered for key.
func (c *checkpointCache) putListing(index bool, key listingKey, rb *renderedBody) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if index {
		c.indexKey, c.index = key, rb
	} else {
		c.listKey, c.listing = key, rb
	}
}
