package fsm

import (
	"time"

	"github.com/tekstore/tekstore/tek"
)

// Hash is a SHA-256 or HMAC-SHA256 value: the only stored form of codes,
// tokens and revision tokens.
type Hash [32]byte

// Provider is a health-care provider allowed to authorize uploads.
type Provider struct {
	ID          string
	Name        string
	TokenHash   Hash
	QuotaPerDay uint32
	Suspended   bool
	Created     time.Time

	quotaDay  int32
	quotaUsed uint32
	subs      []uint32 // ordinals of its submissions, in seq order
}

// Authorization is one single-use code, known only by its keyed hash.
type Authorization struct {
	ID           string
	CodeHash     Hash
	ProviderID   string
	ReportType   tek.ReportType
	HasOnset     bool
	OnsetDay     int32 // days since 1970-01-01
	Issued       time.Time
	Expires      time.Time
	SubmissionID string // set once used
}

// SubmissionState is the life-cycle state of a submission.
type SubmissionState string

// Submission states as named in the API.
const (
	SubmissionActive     SubmissionState = "active"
	SubmissionRolledBack SubmissionState = "rolled_back"
)

// Submission is one accepted upload.
type Submission struct {
	ID                string
	ProviderID        string
	AuthorizationID   string
	Seq               uint64
	Time              time.Time
	State             SubmissionState
	Reason            string
	RollbackSeq       uint64
	Revoked           int
	Inserted          int
	KeySetHash        Hash
	RevisionTokenHash Hash
	Keys              []tek.Key // the keys this submission added (owned)

	ordinal  uint32
	authHash Hash
}

// Checkpoint is a sealed, immutable delta of the public set.
type Checkpoint struct {
	N        uint32
	Since    uint64
	Until    uint64
	SealedAt time.Time
	Keys     []tek.Key
	Revoked  []tek.RevokedKey
	Padding  []tek.Key
}

// entry is one key of the public set, in seq order. Entries never move
// except when compaction drops expired ones.
type entry struct {
	key        tek.Key
	sub        uint32 // owning submission ordinal
	seq        uint64 // seq at which the key became public
	revokedSeq uint64 // 0 = live; expiredSeq = left by expiry
}

const expiredSeq = ^uint64(0)

// pending is a same-day key under embargo until its window ends.
type pending struct {
	key tek.Key
	sub uint32
}

// revocation records that a public key was revoked at seq.
type revocation struct {
	ref       tek.RevokedKey
	windowEnd uint32
	seq       uint64
	addedSeq  uint64
}
