package freeport

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestIssue18Point0PortsNeverRepeat: thousands of ports from one process
// are all distinct, bindable, and outside the ephemeral range.
func TestIssue18Point0PortsNeverRepeat(t *testing.T) {
	seen := map[int]bool{}
	for range 2000 {
		p, err := Port()
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		if p < lowest || p >= ephLow {
			t.Fatalf("port %d outside [%d, %d)", p, lowest, ephLow)
		}
	}
	// An ephemeral bind (what port 0 and outgoing connections use) never
	// lands on a port handed out.
	for range 200 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if seen[p] {
			t.Fatalf("ephemeral port %d was handed out", p)
		}
	}
}

// TestIssue18Point0PortsDistinctAcrossProcesses: a second process (this test
// binary run again) never gets a port that this process holds.
func TestIssue18Point0PortsDistinctAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process")
	}
	mine := map[int]bool{}
	for range 300 {
		p, err := Port()
		if err != nil {
			t.Fatal(err)
		}
		mine[p] = true
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestHelperPrintPorts$")
	cmd.Env = append(os.Environ(), "FREEPORT_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		v, ok := strings.CutPrefix(line, "port ")
		if !ok {
			continue
		}
		p, _ := strconv.Atoi(v)
		n++
		if mine[p] {
			t.Fatalf("the other process got port %d, held here", p)
		}
	}
	if n == 0 {
		t.Fatalf("helper printed no ports:\n%s", out)
	}
}

// TestHelperPrintPorts is run by the test above in a child process.
func TestHelperPrintPorts(t *testing.T) {
	if os.Getenv("FREEPORT_CHILD") != "1" {
		t.Skip("helper of TestIssue18Point0PortsDistinctAcrossProcesses")
	}
	for range 1000 {
		p, err := Port()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("port", p)
	}
}
