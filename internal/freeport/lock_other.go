//go:build !unix

package freeport

import "os"

// lockPort has no cross-process lock here; the in-process check remains.
func lockPort(int) (*os.File, bool) { return nil, true }
