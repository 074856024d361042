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
	// Keys are the keys this submission added (owned). Stored submissions
	// hold none: queries derive them from the public set.
	Keys []tek.Key

	ordinal  uint32
	authHash Hash
	// extraSeqs are the seqs at which embargoed keys of this submission were
	// released into the public set (its other keys are at Seq).
	extraSeqs []uint64
	// dropped are embargoed keys revoked before release: they never reached
	// the public set, but still belong to the submission's record.
	dropped []tek.Key
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

// entry is one key of the public set, in seq order. Entries never move
// except when compaction drops expired ones no listed checkpoint needs.
type entry struct {
	key        tek.Key
	expired    bool   // left the public set by expiry
	sub        uint32 // owning submission ordinal
	seq        uint64 // seq at which the key became public
	revokedSeq uint64 // 0 = not revoked
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
