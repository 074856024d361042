package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// FaultKind names one kind of injected fault.
type FaultKind string

// The faults a Nemesis injects.
const (
	FaultIsolateFollower     FaultKind = "isolate-follower"
	FaultIsolateLeader       FaultKind = "isolate-leader"
	FaultSplitLeaderMinority FaultKind = "split-leader-in-minority"
	FaultSplitLeaderMajority FaultKind = "split-leader-in-majority"
	FaultBlackholeFollower   FaultKind = "blackhole-follower"
	FaultResetConns          FaultKind = "reset-connections"
	FaultBandwidth           FaultKind = "bandwidth-limit"
	FaultKillLeader          FaultKind = "sigkill-leader"
	FaultKillFollower        FaultKind = "sigkill-follower"
	FaultPauseFollower       FaultKind = "sigstop-follower"
	FaultPauseLeader         FaultKind = "sigstop-leader"
	FaultAddRemoveVoter      FaultKind = "add-remove-voter"
	FaultAddRemoveNonVoter   FaultKind = "add-remove-nonvoter"
)

// AllFaults lists every fault kind.
var AllFaults = []FaultKind{
	FaultIsolateFollower, FaultIsolateLeader, FaultSplitLeaderMinority, FaultSplitLeaderMajority,
	FaultBlackholeFollower, FaultResetConns, FaultBandwidth, FaultKillLeader, FaultKillFollower,
	FaultPauseFollower, FaultPauseLeader, FaultAddRemoveVoter, FaultAddRemoveNonVoter,
}

// Fault parameters.
const (
	// PauseFor is how long SIGSTOP holds a process.
	PauseFor = 5 * time.Second
	// BandwidthCap is the per-direction cap of FaultBandwidth.
	BandwidthCap = 32 << 10
)

// NemesisConfig tunes a Nemesis; zero durations take the defaults.
type NemesisConfig struct {
	// Kinds to draw from (default AllFaults).
	Kinds []FaultKind
	// MinGap..MaxGap is the healthy time between faults (default 1-3 s).
	MinGap, MaxGap time.Duration
	// MinHold..MaxHold is how long a fault lasts (default 2-5 s).
	MinHold, MaxHold time.Duration
	// Seed drives the schedule.
	Seed uint64
	// InTurn takes Kinds in order instead of drawing them (short runs that
	// must see every kind); targets and timings are still drawn.
	InTurn bool
}

// Event is one line of the nemesis log.
type Event struct {
	// At is the time since the history recorder started.
	At     time.Duration
	Kind   FaultKind
	Phase  string // "start", "info", "heal" or "error"
	Target string
	Detail string
}

// String formats the event as a log line.
func (e Event) String() string {
	s := fmt.Sprintf("[+%8.3fs] nemesis %-5s %-26s %s", e.At.Seconds(), e.Phase, e.Kind, e.Target)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Nemesis injects faults into a Cluster on a schedule drawn from a seeded
// RNG, one fault at a time, healing each before the next.
type Nemesis struct {
	c   *Cluster
	cfg NemesisConfig
	rng *rand.Rand
	now func() time.Duration

	mu          sync.Mutex
	events      []Event
	counts      map[FaultKind]int
	leaderKills []time.Duration
}

// NewNemesis returns a nemesis for c whose events are stamped by now (use
// the history recorder's clock so events line up with operations).
func NewNemesis(c *Cluster, cfg NemesisConfig, now func() time.Duration) *Nemesis {
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = AllFaults
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.MinGap, time.Second)
	def(&cfg.MaxGap, 3*time.Second)
	def(&cfg.MinHold, 2*time.Second)
	def(&cfg.MaxHold, 5*time.Second)
	return &Nemesis{c: c, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6e656d)), now: now,
		counts: make(map[FaultKind]int)}
}

// Run injects faults until ctx ends; the fault in progress is healed
// before it returns.
func (n *Nemesis) Run(ctx context.Context) {
	for i := 0; sleep(ctx, n.between(n.cfg.MinGap, n.cfg.MaxGap)); i++ {
		kind := n.cfg.Kinds[i%len(n.cfg.Kinds)]
		if !n.cfg.InTurn {
			kind = n.cfg.Kinds[n.rng.IntN(len(n.cfg.Kinds))]
		}
		if err := n.inject(ctx, kind); err != nil {
			n.log(Event{Kind: kind, Phase: "error", Detail: err.Error()})
		}
	}
}

// Events returns the log so far.
func (n *Nemesis) Events() []Event {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.events)
}

// Counts returns how many faults of each kind were injected.
func (n *Nemesis) Counts() map[FaultKind]int {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[FaultKind]int, len(n.counts))
	for k, v := range n.counts {
		out[k] = v
	}
	return out
}

// LeaderKills returns when the leader was killed (recorder clock).
func (n *Nemesis) LeaderKills() []time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.leaderKills)
}

func (n *Nemesis) log(e Event) {
	e.At = n.now()
	n.mu.Lock()
	n.events = append(n.events, e)
	if e.Phase == "start" {
		n.counts[e.Kind]++
		if e.Kind == FaultKillLeader {
			n.leaderKills = append(n.leaderKills, e.At)
		}
	}
	n.mu.Unlock()
	n.c.cfg.Logf("%s", e)
}

func (n *Nemesis) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(n.rng.Int64N(int64(hi-lo)))
}

// hold keeps a fault for a drawn time, or until ctx ends.
func (n *Nemesis) hold(ctx context.Context) {
	sleep(ctx, n.between(n.cfg.MinHold, n.cfg.MaxHold))
}
