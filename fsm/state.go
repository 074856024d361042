package fsm

import (
	"sync"
	"time"

	"github.com/tekstore/tekstore/tek"
)

// DefaultRetention is how long a key stays public after its window ended.
const DefaultRetention = 14 * 24 * time.Hour

// pruneEvery is how often (in leader time) expired authorizations,
// submissions, revocations and checkpoints are dropped.
const pruneEvery = time.Hour

// maxLeaderMs caps the leader time an entry may carry (the end of year
// 9999): later clocks are read as this time, so that every interval number
// and expiry interval derived from it fits in a uint32 on every node.
var maxLeaderMs = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).UnixMilli()

// Config holds the parameters every node of a cluster must share.
type Config struct {
	Retention time.Duration // default DefaultRetention
}

// State is the replicated state. The zero value is not usable; call New.
type State struct {
	mu sync.RWMutex

	retention   time.Duration
	index       uint64 // last applied command
	nowMs       int64  // leader time, never decreasing
	lastPruneMs int64
	lastSealSeq uint64
	nextOrdinal uint32

	providers    map[string]*Provider
	byTokenHash  map[Hash]string
	auths        map[Hash]*Authorization
	submissions  map[string]*Submission
	byOrdinal    map[uint32]*Submission
	byRevision   map[Hash]*Submission
	entries      []entry                     // public set, seq order
	position     map[[tek.KeyLen]byte]uint32 // key bytes -> entries index of a key that has not expired
	pendingKeys  []pending                   // embargoed, sorted by window end
	pendingSet   map[[tek.KeyLen]byte]struct{}
	revocations  []revocation        // seq order
	expiryBucket map[uint32][]uint32 // expiry interval -> entries indexes
	expiryCursor uint32
	expiredCount int
	checkpoints  []*Checkpoint
	nextCkpt     uint32
}

// New returns an empty state machine.
func New(cfg Config) *State {
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	s := &State{retention: cfg.Retention}
	s.reset()
	return s
}

func (s *State) reset() {
	s.index, s.nowMs, s.lastPruneMs, s.lastSealSeq = 0, 0, 0, 0
	s.nextOrdinal, s.nextCkpt = 1, 1
	s.providers = map[string]*Provider{}
	s.byTokenHash = map[Hash]string{}
	s.auths = map[Hash]*Authorization{}
	s.submissions = map[string]*Submission{}
	s.byOrdinal = map[uint32]*Submission{}
	s.byRevision = map[Hash]*Submission{}
	s.entries = nil
	s.position = map[[tek.KeyLen]byte]uint32{}
	s.pendingKeys = nil
	s.pendingSet = map[[tek.KeyLen]byte]struct{}{}
	s.revocations = nil
	s.expiryBucket = map[uint32][]uint32{}
	s.expiryCursor = 0
	s.expiredCount = 0
	s.checkpoints = nil
}

// Index returns the log index of the last applied command.
func (s *State) Index() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.index
}

// Now returns the leader time of the last applied command.
func (s *State) Now() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return msTime(s.nowMs)
}

// Retention returns the configured retention window.
func (s *State) Retention() time.Duration { return s.retention }

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func (s *State) retentionMs() int64 { return s.retention.Milliseconds() }

// swapFrom moves every field of fresh into s, keeping s's lock.
func (s *State) swapFrom(fresh *State) {
	s.index, s.nowMs, s.lastPruneMs, s.lastSealSeq = fresh.index, fresh.nowMs, fresh.lastPruneMs, fresh.lastSealSeq
	s.nextOrdinal, s.nextCkpt = fresh.nextOrdinal, fresh.nextCkpt
	s.providers, s.byTokenHash, s.auths = fresh.providers, fresh.byTokenHash, fresh.auths
	s.submissions, s.byOrdinal, s.byRevision = fresh.submissions, fresh.byOrdinal, fresh.byRevision
	s.entries, s.position = fresh.entries, fresh.position
	s.pendingKeys, s.pendingSet, s.revocations = fresh.pendingKeys, fresh.pendingSet, fresh.revocations
	s.expiryBucket, s.expiryCursor, s.expiredCount = fresh.expiryBucket, fresh.expiryCursor, fresh.expiredCount
	s.checkpoints = fresh.checkpoints
}
