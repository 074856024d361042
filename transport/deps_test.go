package transport

import (
	"os/exec"
	"strings"
	"testing"
)

// TestIssue18Point11aTransportBuildsWithoutRaft: the HTTP layer knows a node
// only through Store and the shared vocabulary of package cluster, so it
// must not depend on Raft, memberlist or the node package.
func TestIssue18Point11aTransportBuildsWithoutRaft(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "github.com/tekstore/tekstore/node",
			strings.HasPrefix(dep, "github.com/hashicorp/raft"),
			strings.HasPrefix(dep, "github.com/hashicorp/memberlist"):
			t.Errorf("transport depends on %s", dep)
		}
	}
}
