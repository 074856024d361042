//go:build unix

package freeport

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// lockPort takes a non-blocking exclusive lock on a file named after p in
// a directory shared by every process of this machine's user. Another
// process holding it means that process handed p out.
func lockPort(p int) (*os.File, bool) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("tekstore-freeport-%d", os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, true // no lock directory: fall back to the in-process check
	}
	f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(p)), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, true
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return f, true
}
