package clustertests

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	ct "github.com/tekstore/tekstore/cluster-tests/clustertest"
	"github.com/tekstore/tekstore/internal/freeport"
)

// buildBinary compiles cmd/tekstore into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "tekstore")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/tekstore/tekstore/cmd/tekstore").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address free for TCP and UDP, never one it
// returned before (internal/freeport).
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := freeport.Addr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

type proc struct {
	id, url string
	cmd     *exec.Cmd
	log     *bytes.Buffer
}

// TestRealProcesses drives `tekstore serve` processes: one bootstraps, two
// join with --join, `cluster status` shows all three, `cluster remove`
// removes one.
func TestRealProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	env := append(os.Environ(), "TEKSTORE_ADMIN_TOKEN="+ct.AdminToken, "TEKSTORE_TOKEN=")
	gossipKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 32))
	procs := map[string]*proc{}
	t.Cleanup(func() {
		for _, p := range procs {
			if p.cmd.ProcessState == nil {
				_ = p.cmd.Process.Signal(syscall.SIGTERM)
				_ = p.cmd.Wait()
			}
			if t.Failed() {
				t.Logf("--- %s log ---\n%s", p.id, p.log.String())
			}
		}
	})
	start := func(id, dc string, extra ...string) *proc {
		httpAddr := freeAddr(t)
		args := append([]string{"serve", "--id", id, "--data", filepath.Join(dir, id), "--dc", dc,
			"--http", httpAddr, "--raft", freeAddr(t), "--gossip", freeAddr(t), "--gossip-key", gossipKey, "--gossip-profile", "local",
			"--heartbeat-timeout", "500ms", "--election-timeout", "500ms", "--leader-lease-timeout", "500ms"}, extra...)
		p := &proc{id: id, url: "http://" + httpAddr, log: &bytes.Buffer{}}
		p.cmd = exec.Command(bin, args...)
		p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = env, p.log, p.log
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[id] = p
		return p
	}
	ready := func(p *proc) {
		t.Helper()
		waitFor(t, p.id+" ready", func() bool {
			r, err := ct.Do(http.MethodGet, p.url+"/readyz", "", nil)
			return err == nil && r.Status == http.StatusOK
		})
	}
	cli := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	n1 := start("n1", "dc1", "--bootstrap")
	ready(n1)
	n2 := start("n2", "dc2", "--join", n1.url)
	n3 := start("n3", "dc3", "--join", n1.url+","+n1.url)
	ready(n2)
	ready(n3)

	var st struct {
		Leader string `json:"leader"`
		Nodes  []struct {
			ID    string `json:"id"`
			DC    string `json:"dc"`
			Alive bool   `json:"alive"`
			State string `json:"state"`
		} `json:"nodes"`
	}
	waitFor(t, "cluster status to show three live nodes", func() bool {
		out, err := cli("cluster", "status", "--addr", n2.url, "--format", "json")
		if err != nil || json.Unmarshal([]byte(out), &st) != nil || len(st.Nodes) != 3 || st.Leader == "" {
			return false
		}
		for i, n := range st.Nodes {
			if n.ID != fmt.Sprintf("n%d", i+1) || n.DC != fmt.Sprintf("dc%d", i+1) || !n.Alive || n.State == "unreachable" {
				return false
			}
		}
		return true
	})
	table, err := cli("cluster", "status", "--addr", n3.url)
	if err != nil {
		t.Fatalf("cluster status: %v\n%s", err, table)
	}
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.HasSuffix(lines[0], "Trails by") ||
		!strings.HasPrefix(lines[1], "n1 ") || !strings.HasPrefix(lines[3], "n3 ") {
		t.Fatalf("status table:\n%s", table)
	}

	out, err := cli("cluster", "remove", "--addr", n1.url, "n3")
	if err != nil || !strings.Contains(out, "removed n3") {
		t.Fatalf("cluster remove: %v\n%s", err, out)
	}
	_ = n3.cmd.Process.Signal(syscall.SIGTERM)
	_ = n3.cmd.Wait()
	out, err = cli("cluster", "remove", "--addr", n2.url, "n3")
	if err != nil || !strings.Contains(out, "not a member") {
		t.Fatalf("second cluster remove: %v\n%s", err, out)
	}
	out, err = cli("cluster", "status", "--addr", n1.url, "--format", "json")
	if err != nil || json.Unmarshal([]byte(out), &st) != nil || len(st.Nodes) != 2 {
		t.Fatalf("status after removal: %v\n%s", err, out)
	}
}

// waitFor polls cond until it holds or 60 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
