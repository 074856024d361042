package fsm

import (
	"math"
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

// noExpiry marks a chunk of entries with nothing left to expire.
const noExpiry = math.MaxUint32

// Config holds the parameters every node of a cluster must share.
type Config struct {
	Retention time.Duration // default DefaultRetention
}

// State is the replicated state. The zero value is not usable; call New.
//
// The bulk of it (public keys, submissions, authorizations) is held in
// columns of fixed-size records outside the Go heap, found through
// open-addressing indexes of 4-byte references; see column.go and
// hashindex.go. Maps hold only what is small or rare.
type State struct {
	mu sync.RWMutex

	retention   time.Duration
	index       uint64 // last applied command
	nowMs       int64  // leader time, never decreasing
	lastPruneMs int64
	lastSealSeq uint64
	nextOrdinal uint32
	// featureLevel is the cluster's feature level (features.go).
	featureLevel uint32

	providers    map[string]*Provider
	providerList []*Provider // by Provider.num
	byTokenHash  map[Hash]string

	auths      column[authRec] // issue order; dead slots until compacted
	authLive   int
	authByCode *hashIndex // code hash -> auths item

	subs         column[subRec] // item ordinal-1; pruned prefix chunks dropped
	subFirst     uint32         // lowest ordinal that may be live
	subByID      *hashIndex     // id -> ordinal-1
	subByRev     *hashIndex     // revision token hash -> ordinal-1
	reasons      map[uint32]string
	dropped      map[uint32][]tek.Key // embargoed keys revoked before release
	moreReleases map[uint32][]uint64  // release seqs after subRec.releaseSeq

	entries      column[entry] // the public set, seq order
	seqRuns      column[seqRun]
	subRuns      column[subRun]
	revokedAt    map[uint32]uint64 // entries index -> revocation seq
	position     *hashIndex        // key bytes -> entries index of a key that has not expired
	chunkExpiry  []uint32          // per entries chunk: first expiry interval still to run
	nextExpiry   uint32            // min of chunkExpiry
	expiredCount int
	liveKeys     int // neither expired nor revoked

	pendingKeys []pending // embargoed, sorted by window end
	pendingSet  map[[tek.KeyLen]byte]struct{}
	revocations []revocation // seq order
	checkpoints []*Checkpoint
	nextCkpt    uint32
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
	s.featureLevel = Level1
	s.providers = map[string]*Provider{}
	s.providerList = nil
	s.byTokenHash = map[Hash]string{}
	s.auths, s.authLive = column[authRec]{}, 0
	s.authByCode = newHashIndex(func(r uint32) uint64 { return hashHash(&s.auths.ref(int(r)).codeHash) }, 0)
	s.subs, s.subFirst = column[subRec]{}, 1
	s.subByID = newHashIndex(func(r uint32) uint64 { return hashShortID(&s.subs.ref(int(r)).id) }, 0)
	s.subByRev = newHashIndex(func(r uint32) uint64 { return hashHash(&s.subs.ref(int(r)).revHash) }, 0)
	s.reasons = map[uint32]string{}
	s.dropped = map[uint32][]tek.Key{}
	s.moreReleases = map[uint32][]uint64{}
	s.resetEntries(0)
	s.pendingKeys = nil
	s.pendingSet = map[[tek.KeyLen]byte]struct{}{}
	s.revocations = nil
	s.checkpoints = nil
}

// resetEntries empties the public set, sizing its index for capacity keys.
func (s *State) resetEntries(capacity int) {
	s.entries, s.seqRuns, s.subRuns = column[entry]{}, column[seqRun]{}, column[subRun]{}
	s.revokedAt = map[uint32]uint64{}
	s.position = newHashIndex(func(r uint32) uint64 { return hashKeyData(&s.entries.ref(int(r)).data) }, capacity)
	s.chunkExpiry, s.nextExpiry, s.expiredCount, s.liveKeys = nil, noExpiry, 0, 0
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

func (s *State) nowInterval() uint32 { return uint32(s.nowMs / 1000 / tek.IntervalSeconds) }

// swapFrom moves every field of fresh into s, keeping s's lock. The index
// functions of fresh read fresh's columns, so they move along as a whole
// and fresh must not be used afterwards.
func (s *State) swapFrom(fresh *State) {
	s.retention, s.index, s.nowMs, s.lastPruneMs, s.lastSealSeq, s.nextOrdinal = fresh.retention, fresh.index, fresh.nowMs, fresh.lastPruneMs, fresh.lastSealSeq, fresh.nextOrdinal
	s.providers, s.providerList, s.byTokenHash = fresh.providers, fresh.providerList, fresh.byTokenHash
	s.auths, s.authLive = fresh.auths, fresh.authLive
	s.subs, s.subFirst = fresh.subs, fresh.subFirst
	s.reasons, s.dropped, s.moreReleases = fresh.reasons, fresh.dropped, fresh.moreReleases
	s.entries, s.seqRuns, s.subRuns, s.revokedAt = fresh.entries, fresh.seqRuns, fresh.subRuns, fresh.revokedAt
	s.chunkExpiry, s.nextExpiry, s.expiredCount, s.liveKeys = fresh.chunkExpiry, fresh.nextExpiry, fresh.expiredCount, fresh.liveKeys
	s.pendingKeys, s.pendingSet, s.revocations = fresh.pendingKeys, fresh.pendingSet, fresh.revocations
	s.checkpoints, s.nextCkpt = fresh.checkpoints, fresh.nextCkpt
	s.featureLevel = fresh.featureLevel
	// The indexes' hash functions must read s's columns, not fresh's.
	s.authByCode = rebind(fresh.authByCode, func(r uint32) uint64 { return hashHash(&s.auths.ref(int(r)).codeHash) })
	s.subByID = rebind(fresh.subByID, func(r uint32) uint64 { return hashShortID(&s.subs.ref(int(r)).id) })
	s.subByRev = rebind(fresh.subByRev, func(r uint32) uint64 { return hashHash(&s.subs.ref(int(r)).revHash) })
	s.position = rebind(fresh.position, func(r uint32) uint64 { return hashKeyData(&s.entries.ref(int(r)).data) })
}

// rebind gives an index a new hash function over equal content.
func rebind(x *hashIndex, hashOf func(uint32) uint64) *hashIndex {
	return &hashIndex{slots: x.slots, n: x.n, hashOf: hashOf}
}
