package secrets

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// Token prefixes make a token's kind readable at a glance (and findable by
// secret scanners). They carry no security.
const (
	// ProviderTokenPrefix starts every health-care provider token.
	ProviderTokenPrefix = "tkp_"
	// AdminTokenPrefix starts every admin token made by tekstore.
	AdminTokenPrefix = "tka_"
)

// tokenBytes is the number of random bytes in a token: 256 bits.
const tokenBytes = 32

// NewToken returns a new bearer token: prefix followed by 32 bytes from
// crypto/rand in unpadded base64url (43 characters).
func NewToken(prefix string) (string, error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("secrets: reading random bytes for a token: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// TokenHash returns the SHA-256 of a bearer token, the form in which tokens
// are stored. An unkeyed hash suffices because tokens carry 256 random bits:
// unlike a password or a 75-bit code they cannot be guessed from their hash,
// and a plain hash lets any node check a token without the pepper.
func TokenHash(token string) [32]byte {
	return sha256.Sum256([]byte(token))
}
