//go:build !linux

package faults

import "os/exec"

// dieWithParent is a no-op where the kernel offers no parent-death signal;
// Cluster.Close still stops every node.
func dieWithParent(*exec.Cmd) {}
