package secrets

import (
	"crypto/sha256"
	"encoding/base64"
)

// RevisionToken returns the revision token of a submission: the HMAC of
// its id under the pepper with its own domain label, in unpadded base64url.
// It is deterministic, so an idempotent retry of a publish returns the same
// token although the token itself is never stored; only RevisionTokenHash
// of it is.
func RevisionToken(p Pepper, submissionID string) string {
	return base64.RawURLEncoding.EncodeToString(labeledMAC(p[:], labelRevisionToken, submissionID))
}

// RevisionTokenHash returns the hash under which a revision token is
// stored and looked up: SHA-256 of a domain label and the token. Like
// TokenHash it is unkeyed because the token is a 256-bit secret; the label
// keeps it apart from TokenHash of the same text.
func RevisionTokenHash(token string) [32]byte {
	h := sha256.New()
	h.Write([]byte(labelRevisionHash))
	h.Write([]byte{0})
	h.Write([]byte(token))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
