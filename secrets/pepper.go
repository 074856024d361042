package secrets

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
)

// Domain labels keep every keyed hash of this package apart. They are part
// of the stored data's format: changing one invalidates what was stored.
const (
	labelPepper        = "tekstore/pepper/v1"
	labelCodeHash      = "tekstore/code-hash/v1"
	labelRevisionToken = "tekstore/revision-token/v1"
	labelRevisionHash  = "tekstore/revision-token-hash/v1"
)

// Pepper is the cluster-wide secret key of the keyed hashes of codes and of
// revision tokens. Its String, GoString and Format methods print a fixed
// placeholder for every fmt verb so that a stray log line cannot leak it.
type Pepper [32]byte

// DerivePepper derives the cluster pepper from the admin token with
// HMAC-SHA256 under a fixed domain label. Every node of a cluster is given
// the same admin token and so derives the same pepper.
func DerivePepper(adminToken string) Pepper {
	var p Pepper
	copy(p[:], labeledMAC([]byte(adminToken), labelPepper, ""))
	return p
}

// redactedPepper is what every printed form of a Pepper shows.
const redactedPepper = "secrets.Pepper(redacted)"

// String returns a fixed placeholder, never the pepper's bytes.
func (Pepper) String() string { return redactedPepper }

// GoString returns a fixed placeholder, never the pepper's bytes.
func (Pepper) GoString() string { return redactedPepper }

// Format writes the fixed placeholder for every verb (%x included), never
// the pepper's bytes.
func (Pepper) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redactedPepper)) }

// labeledMAC returns HMAC-SHA256 under key of the label, a zero byte and the
// message. The zero byte ends the label, which never contains one, so
// different (label, msg) pairs never collide.
func labeledMAC(key []byte, label, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write([]byte(msg))
	return m.Sum(nil)
}
