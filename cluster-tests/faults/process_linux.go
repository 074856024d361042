package faults

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the node die with its parent: a crashed test leaves
// no orphan processes.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
