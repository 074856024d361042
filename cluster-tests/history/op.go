package history

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tekstore/tekstore/tek"
)

// Key identifies a Temporary Exposure Key by its 16 bytes.
type Key [tek.KeyLen]byte

// KeyOf returns the identity of a key.
func KeyOf(k tek.Key) Key { return Key(k.Data) }

// String returns a short fingerprint of the key (a SHA-256 prefix), safe to
// print: it does not reveal the key bytes.
func (k Key) String() string {
	sum := sha256.Sum256(k[:])
	return "key#" + hex.EncodeToString(sum[:4])
}

// Kind is the kind of a client operation.
type Kind uint8

// Operation kinds.
const (
	KindPublish Kind = iota + 1 // POST /v1/publish
	KindRevoke                  // rollback, single-key revocation or revisionToken de-registration
	KindRead                    // GET /v1/keys (full set or delta applied to a Replica)
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindPublish:
		return "publish"
	case KindRevoke:
		return "revoke"
	case KindRead:
		return "read"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Input is what a client sent.
type Input struct {
	// Node is the id of the node the request was sent to.
	Node string
	// Keys are the keys published (publish) or revoked (revoke).
	Keys []Key
	// Since is the since parameter of a read (0 = full set).
	Since uint64
	// MinIndex is the min_index parameter of a read (0 = none).
	MinIndex uint64
}

// Output is what the server answered.
type Output struct {
	// Seq is the seq a publish or revoke was confirmed with.
	Seq uint64
	// Keys is the visible set after a read, duplicates kept.
	Keys []Key
	// Index is the applied index the read's set reflects (X-Tekstore-Index).
	Index uint64
}

// Op is one recorded client operation. Call and Return are monotonic
// nanoseconds since the Recorder was made. An Op succeeded when Err is nil
// and Unknown is false; it certainly failed (had no effect) when Err is set
// and Unknown is false; its outcome is unknown when Unknown is set.
//
// Retries of one logical operation (the same code and keys after a lost
// answer) are one Op: Call is the first attempt's, Return the last one's.
// A confirmed write's Output.Seq must be the index of the log entry that
// this operation created; record Seq 0 for a confirmed write that created
// no entry (an idempotent repeat, e.g. a revoke answering "revoked": 0), and
// it is treated as a write whose seq is not known.
type Op struct {
	Client  int
	Kind    Kind
	Input   Input
	Output  Output
	Call    int64
	Return  int64
	Err     error
	Unknown bool
}

// Succeeded reports whether the server confirmed the operation.
func (o Op) Succeeded() bool { return o.Err == nil && !o.Unknown }

// MayHaveTakenEffect reports whether the operation succeeded or its outcome
// is unknown.
func (o Op) MayHaveTakenEffect() bool { return o.Succeeded() || o.Unknown }

// String describes the operation without key material.
func (o Op) String() string {
	at := time.Duration(o.Call)
	switch {
	case o.Unknown:
		return fmt.Sprintf("%s by client %d at %v on %q (%d keys, outcome unknown)", o.Kind, o.Client, at, o.Input.Node, len(o.Input.Keys))
	case o.Err != nil:
		return fmt.Sprintf("%s by client %d at %v on %q (failed)", o.Kind, o.Client, at, o.Input.Node)
	case o.Kind == KindRead:
		return fmt.Sprintf("read by client %d at %v on %q (since %d, min_index %d -> index %d, %d keys)",
			o.Client, at, o.Input.Node, o.Input.Since, o.Input.MinIndex, o.Output.Index, len(o.Output.Keys))
	}
	return fmt.Sprintf("%s by client %d at %v on %q (%d keys, seq %d)", o.Kind, o.Client, at, o.Input.Node, len(o.Input.Keys), o.Output.Seq)
}
