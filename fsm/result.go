package fsm

import "time"

// Result is what Apply returns for one log entry. Err holds a domain error
// (the command was valid in the log but refused by the rules, e.g. a used
// code); the state is then unchanged by that command.
type Result struct {
	Seq   uint64
	Value any
	Err   error
}

// PublishItemResult is the outcome of one upload inside a Publish command.
type PublishItemResult struct {
	SubmissionID string
	Inserted     int
	Seq          uint64 // seq of the submission (the original one on a replay)
	Replayed     bool   // same code and same keys as an earlier upload
	Err          error
}

// RevokeResult is the outcome of a rollback, revocation or de-registration.
type RevokeResult struct {
	SubmissionID string
	Revoked      int
	Seq          uint64
}

// ProviderRollbackResult is the outcome of a retroactive provider rollback.
type ProviderRollbackResult struct {
	Submissions int
	Revoked     int
	Seq         uint64
}

// AuthorizationsResult lists the authorizations created by one command.
type AuthorizationsResult struct {
	IDs     []string
	Expires time.Time
}

// SealResult is the outcome of a seal command.
type SealResult struct {
	Sealed bool // false when nothing changed since the last checkpoint
	N      uint32
}
