package fsm

import "sync/atomic"

// mappedBytes counts the memory held outside the Go heap by every State
// of the process.
var mappedBytes atomic.Int64

// OffHeapBytes returns the bytes of state memory held outside the Go heap
// (columns and indexes of every State in the process). The Go runtime's
// memory statistics do not include them.
func OffHeapBytes() int64 { return mappedBytes.Load() }
