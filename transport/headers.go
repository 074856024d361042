package transport

import (
	"net/http"
	"strconv"
	"sync/atomic"
)

// Header names set on every answer (canonical form, so that they can be
// stored in an http.Header without canonicalizing on each request).
const (
	headerNode  = "X-Tekstore-Node"
	headerIndex = "X-Tekstore-Index"
)

// Header values shared by every answer of the read path. They are stored
// in response headers as they are, without a copy per request: net/http
// only reads them and Header.Add appends to a new array (len == cap), so
// they must never be modified in place.
var (
	headerJSON       = []string{"application/json"}
	headerVaryAccept = []string{"Accept-Encoding"}
	headerGzip       = []string{"gzip"}
)

// indexHeaderCache holds the X-Tekstore-Index value for the latest applied
// index, so that the answers between two applies share one formatted value.
type indexHeaderCache struct {
	cur atomic.Pointer[indexHeaderValue]
}

type indexHeaderValue struct {
	index uint64
	value []string
}

// value returns the header value for index (shared: never modify it).
func (c *indexHeaderCache) value(index uint64) []string {
	if v := c.cur.Load(); v != nil && v.index == index {
		return v.value
	}
	v := &indexHeaderValue{index: index, value: []string{strconv.FormatUint(index, 10)}}
	c.cur.Store(v)
	return v.value
}

// setIndexHeader sets X-Tekstore-Index to the applied index now, when an
// answer's header is written (so it is the index the answer reflects).
func (s *Server) setIndexHeader(h http.Header) {
	h[headerIndex] = s.indexHeader.value(s.store.AppliedIndex())
}

// addVary adds Accept-Encoding to Vary, sharing the common value when Vary
// is not set yet.
func addVary(h http.Header) {
	if _, ok := h["Vary"]; !ok {
		h["Vary"] = headerVaryAccept
		return
	}
	h.Add("Vary", "Accept-Encoding")
}
