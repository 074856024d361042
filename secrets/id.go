package secrets

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// Id prefixes name the kind of object an id belongs to.
const (
	// SubmissionIDPrefix starts every submission id.
	SubmissionIDPrefix = "s_"
	// AuthorizationIDPrefix starts every authorization (code) id.
	AuthorizationIDPrefix = "a_"
	// ProviderIDPrefix starts every provider id.
	ProviderIDPrefix = "p_"
)

// idBytes is the number of random bytes in an id: 64 bits, 16 hex digits.
const idBytes = 8

// NewID returns a new random id: prefix followed by 16 lower-case hex
// digits from crypto/rand, for example "s_3f9a0c1d2e4b5a69". Ids are not
// secrets; they only need to be unique.
func NewID(prefix string) (string, error) {
	var b [idBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("secrets: reading random bytes for an id: %w", err)
	}
	return prefix + hex.EncodeToString(b[:]), nil
}
