package faults

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/node"
	"github.com/tekstore/tekstore/server"
	"github.com/tekstore/tekstore/transport"
)

// NodeEnv is the environment variable that makes a re-executed binary run
// one node (see NodeMain); its value is the node's JSON description.
const NodeEnv = "TEKSTORE_FAULTS_NODE"

// terminateWait bounds a graceful stop before the process is killed.
const terminateWait = 15 * time.Second

// ErrNotRunning: the node's process is not running.
var ErrNotRunning = errors.New("faults: node not running")

// nodeSpec is what a node process needs to start.
type nodeSpec struct {
	ID         string            `json:"id"`
	DC         string            `json:"dc"`
	DataDir    string            `json:"dataDir"`
	HTTPAddr   string            `json:"httpAddr"`
	RaftAddr   string            `json:"raftAddr"`
	GossipAddr string            `json:"gossipAddr"`
	Bootstrap  bool              `json:"bootstrap"`
	Join       []string          `json:"join"`
	NonVoter   bool              `json:"nonVoter"`
	AdminToken string            `json:"adminToken"`
	RaftDial   map[string]string `json:"raftDial"` // real Raft address -> proxy address
	PeerDial   map[string]string `json:"peerDial"` // real HTTP address -> proxy address
	Timing     Timing            `json:"timing"`
	LogLevel   string            `json:"logLevel"`
}

// IsNodeProcess reports whether this process was started as a node by a
// Cluster. A TestMain or main function calls it first:
//
//	if faults.IsNodeProcess() { os.Exit(faults.NodeMain()) }
func IsNodeProcess() bool { return os.Getenv(NodeEnv) != "" }

// NodeMain runs the node described by NodeEnv until SIGTERM or SIGINT and
// returns the process exit status. Logs go to stderr.
func NodeMain() int {
	var spec nodeSpec
	if err := json.Unmarshal([]byte(os.Getenv(NodeEnv)), &spec); err != nil {
		fmt.Fprintf(os.Stderr, "faults node: bad %s: %v\n", NodeEnv, err)
		return 1
	}
	lvl, err := zerolog.ParseLevel(spec.LogLevel)
	if err != nil || spec.LogLevel == "" {
		lvl = zerolog.WarnLevel
	}
	log := zerolog.New(os.Stderr).Level(lvl).With().Timestamp().Str("node", spec.ID).Logger()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	srv, err := server.Start(spec.options(log))
	if err != nil {
		log.Error().Err(err).Msg("start failed")
		return 1
	}
	select {
	case <-ctx.Done():
	case err := <-srv.Done():
		log.Error().Err(err).Msg("HTTP server stopped")
	}
	if err := srv.Close(); err != nil {
		log.Error().Err(err).Msg("close")
		return 1
	}
	return 0
}

// options maps the description to server.Options: Raft and node-to-node
// HTTP connections go through the proxies, rate limits are off.
func (s nodeSpec) options(log zerolog.Logger) server.Options {
	raftMap, peerMap := s.RaftDial, s.PeerDial
	var d net.Dialer
	return server.Options{
		ID: s.ID, DataDir: s.DataDir, DC: s.DC,
		HTTPAddr: s.HTTPAddr, HTTPAdvertise: "http://" + s.HTTPAddr,
		RaftAddr: s.RaftAddr, GossipAddr: s.GossipAddr, GossipProfile: server.GossipLocal,
		Bootstrap: s.Bootstrap, Join: s.Join, NonVoter: s.NonVoter,
		AdminToken: s.AdminToken,
		RaftDial: func(addr string, timeout time.Duration) (net.Conn, error) {
			if p, ok := raftMap[addr]; ok {
				addr = p
			}
			return net.DialTimeout("tcp", addr, timeout)
		},
		PeerDial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if p, ok := peerMap[addr]; ok {
				addr = p
			}
			return d.DialContext(ctx, network, addr)
		},
		// Every client of a test shares 127.0.0.1: per-address limits would
		// throttle the whole workload as one abusive client.
		Limits: transport.Limits{PublishPerSec: -1, ReadsPerSec: -1, TokenPerSec: -1, FailedCodesPerHour: -1},
		Node: node.Config{
			HeartbeatTimeout: s.Timing.Heartbeat, ElectionTimeout: s.Timing.Election,
			LeaderLeaseTimeout: s.Timing.LeaderLease, SnapshotThreshold: s.Timing.SnapshotThreshold,
			SnapshotInterval: s.Timing.SnapshotInterval, TrailingLogs: s.Timing.TrailingLogs,
			CheckpointInterval: s.Timing.CheckpointInterval,
		},
		Logger: log,
	}
}

// process is one run of a node's process.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}

	mu     sync.Mutex
	paused bool
}

// startProcess starts exe as the node described by spec, appending its
// output to logPath.
func startProcess(exe string, spec nodeSpec, logPath string) (*process, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("encode node %s: %w", spec.ID, err)
	}
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log of %s: %w", spec.ID, err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), NodeEnv+"="+string(raw))
	cmd.Stdout, cmd.Stderr = logf, logf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start node %s: %w", spec.ID, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // a killed node exits with a signal status
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits for the process to end.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// pause sends SIGSTOP.
func (p *process) pause() error {
	if err := p.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		return fmt.Errorf("SIGSTOP: %w", err)
	}
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
	return nil
}

// resume sends SIGCONT.
func (p *process) resume() error {
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
	if err := p.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		return fmt.Errorf("SIGCONT: %w", err)
	}
	return nil
}

// isPaused reports whether the process was stopped with SIGSTOP.
func (p *process) isPaused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// terminate stops the process gracefully (SIGTERM), killing it when it does
// not end within terminateWait. Its exit status is not an error: a node
// stopping while its peers stop too may fail to announce its leave.
func (p *process) terminate() error {
	if p.isPaused() {
		_ = p.resume()
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(terminateWait):
		p.kill()
		return fmt.Errorf("node did not stop within %v after SIGTERM; killed", terminateWait)
	}
}
