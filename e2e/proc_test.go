package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tekstore/tekstore/client"
	"github.com/tekstore/tekstore/internal/freeport"
)

// Deadlines of the binary tests (generous: CI machines are slow).
const (
	readyTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
	cliTimeout   = 30 * time.Second
	pollEvery    = 50 * time.Millisecond
)

// binary is the tekstore command built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tekstore-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "tekstore")
	build := exec.Command("go", "build", "-o", binary, "./cmd/tekstore")
	build.Dir = ".."
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build tekstore:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer safe for a process writer and a test reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a running tekstore process.
type proc struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

// startProc starts the binary in dir with args; t.Cleanup kills it if the
// test did not stop it.
func startProc(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary, args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.cmd.Env = append(os.Environ(), "TEKSTORE_ADMIN_TOKEN=", "TEKSTORE_TOKEN=", "TEKSTORE_ADDR=")
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start tekstore %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("tekstore %s stderr (tail):\n%s", args[0], tail(p.stderr.String(), 3000))
		}
	})
	return p
}

// stop sends sig and requires a clean exit within stopTimeout.
func (p *proc) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		t.Fatalf("tekstore did not stop within %s after %v", stopTimeout, sig)
	}
	if p.err != nil {
		t.Fatalf("tekstore exited with %v after %v; stderr:\n%s", p.err, sig, tail(p.stderr.String(), 3000))
	}
}

// waitFor polls cond until it returns true or timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, p *proc, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if p != nil {
			select {
			case <-p.done:
				t.Fatalf("tekstore exited (%v) while waiting for %s; stderr:\n%s", p.err, what, tail(p.stderr.String(), 3000))
			default:
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(pollEvery)
	}
}

// waitReady polls /readyz.
func waitReady(t *testing.T, c *client.Client, p *proc) {
	t.Helper()
	waitFor(t, "/readyz", readyTimeout, p, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := c.Readyz(ctx)
		return err == nil
	})
}

// runCLI runs a short CLI command and returns its stdout; it fails the test
// unless the command exits 0.
func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := tryCLI(t, args...)
	if err != nil {
		t.Fatalf("tekstore %s: %v; stderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// tryCLI runs a CLI command and returns stdout, stderr and the exit error.
func tryCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), "TEKSTORE_TOKEN=", "TEKSTORE_ADDR=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// freeAddr returns a 127.0.0.1 address never returned before in this
// process (internal/freeport).
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := freeport.Addr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// sigterm is the signal a service manager sends.
var sigterm os.Signal = syscall.SIGTERM
