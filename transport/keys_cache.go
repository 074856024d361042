package transport

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"sync"

	"github.com/tekstore/tekstore/fsm"
)

// deltaCache keeps rendered /v1/keys answers for the node's current applied
// index: many apps ask for the same ranges (the same since, from the same
// checkpoint or the previous poll), and a rendered answer stays valid until
// the state changes. Entries are dropped wholesale when the index moves.
type deltaCache struct {
	mu       sync.Mutex
	index    uint64
	entries  map[deltaKey]*renderedDelta
	bytes    int
	maxBytes int
}

type deltaKey struct {
	since uint64
	limit int
}

// renderedDelta is one answer in plain and gzip form (gzip made on demand),
// with the Content-Length header value of each (shared: never modify).
type renderedDelta struct {
	plain       []byte
	plainLength []string
	gzipOnce    sync.Once
	gz          []byte
	gzLength    []string
	empty       bool
}

// newRenderedDelta wraps a rendered body.
func newRenderedDelta(body []byte, empty bool) *renderedDelta {
	return &renderedDelta{plain: body, plainLength: []string{strconv.Itoa(len(body))}, empty: empty}
}

// maxCachedDelta bounds a single cached answer; larger ones (full resets of
// a big set) are rendered per request.
const (
	maxCachedDelta     = 4 << 20
	defaultDeltaCacheB = 64 << 20
	minGzipBytes       = 1024
)

func newDeltaCache(maxBytes int) *deltaCache {
	return &deltaCache{entries: map[deltaKey]*renderedDelta{}, maxBytes: maxBytes}
}

// get returns the rendered delta for (since, limit) at index, computing it
// with render when absent.
func (c *deltaCache) get(index uint64, k deltaKey, render func() (fsm.Delta, []byte)) *renderedDelta {
	c.mu.Lock()
	if c.index != index {
		c.index, c.entries, c.bytes = index, map[deltaKey]*renderedDelta{}, 0
	}
	if e, ok := c.entries[k]; ok {
		c.mu.Unlock()
		return e
	}
	c.mu.Unlock()

	d, body := render()
	e := newRenderedDelta(body, !d.Reset && len(d.Keys) == 0 && len(d.Revoked) == 0)
	if len(body) > maxCachedDelta || d.Until != index {
		return e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.index == index && c.bytes+len(body) <= c.maxBytes {
		if old, ok := c.entries[k]; ok {
			return old
		}
		c.entries[k] = e
		c.bytes += len(body)
	}
	return e
}

// gzipped returns the gzip form and its Content-Length, compressing once.
func (e *renderedDelta) gzipped() ([]byte, []string) {
	e.gzipOnce.Do(func() {
		var buf bytes.Buffer
		buf.Grow(len(e.plain) / 3)
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		_, _ = zw.Write(e.plain)
		_ = zw.Close()
		e.gz = buf.Bytes()
		e.gzLength = []string{strconv.Itoa(len(e.gz))}
	})
	return e.gz, e.gzLength
}
