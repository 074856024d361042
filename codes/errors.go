package codes

import "errors"

// ErrMalformed reports input that is not a code at all: the wrong number of
// characters, or a character outside the alphabet and its aliases (such as
// U, punctuation other than dashes, or non-ASCII text).
var ErrMalformed = errors.New("codes: malformed code")

// ErrCheck reports a well-formed code whose check character does not match
// the other fifteen: almost always a typing mistake.
var ErrCheck = errors.New("codes: check character does not match, probably a typo")
