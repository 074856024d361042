package history

import "errors"

// Sentinel errors wrapped by the checkers, for errors.Is.
var (
	// ErrLostPublish: a confirmed publish's key is missing from the final state.
	ErrLostPublish = errors.New("history: confirmed publish lost")
	// ErrDuplicateKey: a read showed the same key more than once.
	ErrDuplicateKey = errors.New("history: key present twice in a read")
	// ErrPhantomKey: a read showed a key that no one sent (yet).
	ErrPhantomKey = errors.New("history: key that no one sent")
	// ErrRevokedReappeared: a revoked key showed up in a read that covers
	// the revocation.
	ErrRevokedReappeared = errors.New("history: revoked key reappeared")
	// ErrMinIndexIgnored: a read answered with an index below its min_index.
	ErrMinIndexIgnored = errors.New("history: read index below min_index")
	// ErrDigestMismatch: nodes disagree on the final state digest.
	ErrDigestMismatch = errors.New("history: final digests differ")
	// ErrNotLinearizable: porcupine found no valid linearization.
	ErrNotLinearizable = errors.New("history: not linearizable")
	// ErrCheckInconclusive: the linearizability check timed out.
	ErrCheckInconclusive = errors.New("history: linearizability check timed out")
)
