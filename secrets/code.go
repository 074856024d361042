package secrets

import "github.com/tekstore/tekstore/codes"

// CodeHash returns the keyed hash (HMAC-SHA256 under the pepper) of the
// canonical form of c. It is the only form in which a code is ever stored:
// without the pepper the 75-bit codes cannot be recovered from a stolen
// backup, and with it a lookup is one hash. Every spelling that Parse
// accepts for a code yields the same hash.
func CodeHash(p Pepper, c codes.Code) [32]byte {
	var h [32]byte
	copy(h[:], labeledMAC(p[:], labelCodeHash, c.Canonical()))
	return h
}
