//go:build !unix

package fsm

// mapSlab allocates n zeroed bytes on the Go heap where anonymous mappings
// are not available.
func mapSlab(n int) []byte {
	mappedBytes.Add(int64(n))
	return make([]byte, n)
}

// unmapSlab leaves the memory to the collector and counts it returned.
func unmapSlab(b []byte) { mappedBytes.Add(-int64(len(b))) }
