package fsm

import (
	"errors"
	"fmt"
)

// Domain errors returned in Result.Err and by the read and check methods.
// transport/ maps each to an HTTP status and error code in one place.
var (
	ErrNotFound        = errors.New("not found")
	ErrForbidden       = errors.New("forbidden")
	ErrCodeInvalid     = errors.New("code invalid")
	ErrCodeExpired     = errors.New("code expired")
	ErrCodeUsed        = errors.New("code already used for other keys")
	ErrProviderSuspend = errors.New("provider suspended")
	ErrQuotaExceeded   = errors.New("provider daily code quota exceeded")
	ErrInvalidKey      = errors.New("invalid key")
	ErrBadCommand      = errors.New("bad command")
	ErrExists          = errors.New("already exists")
)

// KeyError is an ErrInvalidKey naming the offending key and the rule.
type KeyError struct {
	Index int    // position of the key in the upload, -1 for the whole upload
	Rule  string // human-readable rule that was broken
}

// Error implements error.
func (e *KeyError) Error() string {
	if e.Index < 0 {
		return e.Rule
	}
	return fmt.Sprintf("key %d: %s", e.Index, e.Rule)
}

// Unwrap makes errors.Is(err, ErrInvalidKey) true.
func (e *KeyError) Unwrap() error { return ErrInvalidKey }

// FatalError reports a log entry the state machine cannot apply. A node that
// sees one must stop: skipping the entry would make its state diverge.
type FatalError struct {
	Index uint64
	Err   error
}

// Error implements error.
func (e *FatalError) Error() string {
	return fmt.Sprintf("fsm: cannot apply log entry %d: %v", e.Index, e.Err)
}

// Unwrap returns the cause.
func (e *FatalError) Unwrap() error { return e.Err }
