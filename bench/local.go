package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/tekstore/tekstore/gaen"
	"github.com/tekstore/tekstore/internal/freeport"
)

// LocalOptions configure a local cluster of real `tekstore serve` processes.
type LocalOptions struct {
	Nodes              int
	Dir                string // data and logs; a temp dir when empty
	CheckpointInterval time.Duration
	ExtraFlags         []string
}

// Local is a running local cluster started by the bench.
type Local struct {
	Target
	dir   string
	exe   string
	opts  LocalOptions
	token string
	nodes []*localNode
}

type localNode struct {
	id, http, raft, gossip, dc, data string
	cmd                              *exec.Cmd
	exited                           chan struct{} // closed when cmd has exited
}

// benchLimits lifts the per-client DoS budgets: the load generator is one
// client address sending what thousands of phones would.
var benchLimits = []string{
	"--limit-publish-rate=-1", "--limit-read-rate=-1", "--limit-token-rate=-1",
	"--limit-failed-codes-per-hour=-1", "--limit-long-polls-per-client=100000",
	"--max-long-polls=100000", "--max-in-flight=100000", "--max-connections=100000",
}

// StartLocal starts opts.Nodes processes of the running binary on
// 127.0.0.1 (n1 bootstraps, the others join) and waits until all are ready.
func StartLocal(ctx context.Context, opts LocalOptions) (*Local, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find tekstore binary: %w", err)
	}
	if opts.Dir == "" {
		if opts.Dir, err = os.MkdirTemp("", "tekstore-bench-"); err != nil {
			return nil, err
		}
	}
	if opts.CheckpointInterval == 0 {
		opts.CheckpointInterval = 2 * time.Second
	}
	l := &Local{dir: opts.Dir, exe: exe, opts: opts, token: "tka_bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	l.AdminToken = l.token
	if err := os.WriteFile(filepath.Join(l.dir, "admin-token"), []byte(l.token+"\n"), 0o600); err != nil {
		return nil, err
	}
	pem, err := gaen.GenerateSigningKeyPEM()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(l.dir, "signing-key.pem"), pem, 0o600); err != nil {
		return nil, err
	}
	for i := 1; i <= opts.Nodes; i++ {
		if _, err := l.AddNode(ctx, i == 1); err != nil {
			l.Stop()
			return nil, err
		}
	}
	if err := l.Discover(ctx); err != nil {
		l.Stop()
		return nil, err
	}
	return l, nil
}

// AddNode starts one more node (bootstrapping when first) and waits until
// it is ready; it returns the node's index in URLs.
func (l *Local) AddNode(ctx context.Context, bootstrap bool) (int, error) {
	i := len(l.nodes) + 1
	ports, err := freeport.Ports(3)
	if err != nil {
		return 0, err
	}
	n := &localNode{
		id: fmt.Sprintf("n%d", i), dc: fmt.Sprintf("dc%d", (i-1)%3+1),
		http: fmt.Sprintf("127.0.0.1:%d", ports[0]), raft: fmt.Sprintf("127.0.0.1:%d", ports[1]),
		gossip: fmt.Sprintf("127.0.0.1:%d", ports[2]), data: filepath.Join(l.dir, fmt.Sprintf("n%d", i)),
	}
	l.nodes = append(l.nodes, n)
	l.URLs = append(l.URLs, "http://"+n.http)
	args := []string{"serve", "--id", n.id, "--data", n.data, "--http", n.http, "--raft", n.raft, "--gossip", n.gossip,
		"--dc", n.dc, "--admin-token-file", filepath.Join(l.dir, "admin-token"),
		"--checkpoint-interval", l.opts.CheckpointInterval.String(), "--log-level", "warn",
		"--signing-key", filepath.Join(l.dir, "signing-key.pem")}
	if bootstrap {
		args = append(args, "--bootstrap")
	} else {
		args = append(args, "--join", l.URLs[0])
	}
	args = append(append(args, benchLimits...), l.opts.ExtraFlags...)
	return i - 1, l.start(ctx, n, args)
}

func (l *Local) start(ctx context.Context, n *localNode, args []string) error {
	logf, err := os.OpenFile(filepath.Join(l.dir, n.id+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	n.cmd = exec.Command(l.exe, args...)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", n.id, err)
	}
	n.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); logf.Close(); close(exited) }(n.cmd, n.exited)
	return waitReady(ctx, "http://"+n.http, 60*time.Second)
}

// Kill stops node i with SIGKILL and waits until the process is gone (so
// its ports are free for a restart).
func (l *Local) Kill(i int) {
	if n := l.nodes[i]; n.cmd != nil && n.cmd.Process != nil {
		_ = n.cmd.Process.Signal(syscall.SIGKILL)
		<-n.exited
		n.cmd = nil
	}
}

// Restart starts node i again on its data directory (no join flags) and
// returns how long it took to be ready.
func (l *Local) Restart(ctx context.Context, i int) (time.Duration, error) {
	n := l.nodes[i]
	t0 := time.Now()
	args := []string{"serve", "--id", n.id, "--data", n.data, "--http", n.http, "--raft", n.raft, "--gossip", n.gossip,
		"--dc", n.dc, "--admin-token-file", filepath.Join(l.dir, "admin-token"),
		"--checkpoint-interval", l.opts.CheckpointInterval.String(), "--log-level", "warn",
		"--signing-key", filepath.Join(l.dir, "signing-key.pem")}
	args = append(append(args, benchLimits...), l.opts.ExtraFlags...)
	err := l.start(ctx, n, args)
	return time.Since(t0), err
}

// PID returns node i's process id (0 when stopped).
func (l *Local) PID(i int) int {
	if n := l.nodes[i]; n.cmd != nil && n.cmd.Process != nil {
		return n.cmd.Process.Pid
	}
	return 0
}

// Stop terminates every node and removes nothing (logs stay in Dir).
func (l *Local) Stop() {
	for _, n := range l.nodes {
		if n.cmd != nil && n.cmd.Process != nil {
			_ = n.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	deadline := time.After(10 * time.Second)
	for _, n := range l.nodes {
		if n.cmd == nil {
			continue
		}
		select {
		case <-n.exited:
		case <-deadline:
			_ = n.cmd.Process.Kill()
			<-n.exited
		}
	}
}

// Dir returns where data and logs live.
func (l *Local) Dir() string { return l.dir }

// waitReady polls /readyz until 200 or the deadline.
func waitReady(ctx context.Context, base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s not ready within %s", base, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
