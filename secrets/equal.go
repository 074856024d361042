package secrets

import "crypto/subtle"

// Equal reports whether a and b are equal, in time that depends only on
// their lengths and not on their contents. Use it for every comparison of a
// secret or of a hash of one.
func Equal(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}
