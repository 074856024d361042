package main

import (
	"os"
	"runtime/debug"
)

// serveGCPercent is the garbage collector's target for a serving node when
// GOGC is not set. The node's state lives outside the Go heap (fsm's
// off-heap columns), so the heap holds little more than per-request
// garbage: at 10 million keys the live heap is about 1 byte per key. A
// higher target lets that garbage accumulate a little longer, which cuts
// the collector's share of a node's CPU under upload load, at the cost of
// a few tens of megabytes of heap.
const serveGCPercent = 400

// tuneServeGC applies serveGCPercent unless GOGC in the environment says
// otherwise.
func tuneServeGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}
