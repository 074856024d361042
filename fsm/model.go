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

	num       uint32 // position in State.providerList, in creation order
	quotaDay  int32
	quotaUsed uint32
	subs      []uint32 // ordinals of its submissions, in seq order
}

// SubmissionState is the life-cycle state of a submission.
type SubmissionState string

// Submission states as named in the API.
const (
	SubmissionActive     SubmissionState = "active"
	SubmissionRolledBack SubmissionState = "rolled_back"
)

// Submission is one accepted upload, as the queries return it.
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
	RevisionTokenHash Hash
	// Keys are the keys the submission holds: derived from the public set,
	// the embargo list and the keys revoked before release.
	Keys []tek.Key
}

// Checkpoint is a sealed, immutable delta of the public set. The state
// keeps only its bounds, counts and padding; its content is derived from the
// public set on demand (State.CheckpointContent), so keys are stored once.
type Checkpoint struct {
	N            uint32
	Since        uint64
	Until        uint64
	SealedAt     time.Time
	KeyCount     int
	RevokedCount int
	Padding      []tek.Key
	// Keys and Revoked are filled only by State.CheckpointContent.
	Keys    []tek.Key
	Revoked []tek.RevokedKey
}

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
