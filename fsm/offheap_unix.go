//go:build unix

package fsm

import (
	"fmt"
	"syscall"
)

// mapSlab returns n bytes of zeroed anonymous memory outside the Go heap.
// Memory the collector does not manage does not count toward its heap
// goal, so a large key set costs its own size in resident memory instead
// of up to twice that (GOGC=100).
func mapSlab(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		// Out of address space or memory: the state machine cannot go on
		// without diverging, exactly as a failed make would panic.
		panic(fmt.Sprintf("fsm: mapping %d bytes: %v", n, err))
	}
	mappedBytes.Add(int64(n))
	return b
}

// unmapSlab returns memory from mapSlab to the system.
func unmapSlab(b []byte) {
	n := len(b)
	if err := syscall.Munmap(b); err != nil {
		panic(fmt.Sprintf("fsm: unmapping %d bytes: %v", n, err))
	}
	mappedBytes.Add(-int64(n))
}
