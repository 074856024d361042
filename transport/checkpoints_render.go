package transport

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/tek"
)

// checkpointSummary is one entry of GET /v1/checkpoints.
type checkpointSummary struct {
	N        uint32 `json:"n"`
	Since    uint64 `json:"since"`
	Until    uint64 `json:"until"`
	Keys     int    `json:"keys"`
	Revoked  int    `json:"revoked"`
	SealedAt string `json:"sealedAt"`
	SHA256   string `json:"sha256"`
}

// checkpointListing is the body of GET /v1/checkpoints.
type checkpointListing struct {
	Latest      uint32              `json:"latest"`
	Checkpoints []checkpointSummary `json:"checkpoints"`
}

// newRendered wraps an immutable body with its strong ETag.
func newRendered(key bodyKey, ck *fsm.Checkpoint, body []byte) *renderedBody {
	sum := sha256.Sum256(body)
	return &renderedBody{key: key, ck: ck, body: body, etag: strconv.Quote(hex.EncodeToString(sum[:]))}
}

// marshalBody is the JSON encoding used for every rendered body: compact,
// with a final newline, as writeJSON answers. encoding/json writes struct
// fields in declaration order, so the bytes depend on the value alone.
func marshalBody(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal checkpoint body: %w", err)
	}
	return append(b, '\n'), nil
}

// renderCheckpointJSON renders GET /v1/checkpoints/{n}: the checkpoint's
// delta in the shape of /v1/keys. Keys and revoked keys are sorted by key
// bytes (as in export files) so that the order reveals nothing about which
// keys were uploaded together. Padding keys are not part of it. full is ck
// with its content (fsm.State.CheckpointContent); the body is tied to ck.
func renderCheckpointJSON(ck, full *fsm.Checkpoint) (*renderedBody, error) {
	keys := slices.SortedFunc(slices.Values(full.Keys), tek.Compare)
	revoked := slices.SortedFunc(slices.Values(full.Revoked), tek.CompareRevoked)
	body, err := marshalBody(keysResponse{
		Since: ck.Since, Until: ck.Until, Reset: false, More: false,
		Keys: toKeysOut(keys), Revoked: toRefsOut(revoked),
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoint %d: %w", ck.N, err)
	}
	return newRendered(bodyKey{n: ck.N, file: fileJSON}, ck, body), nil
}

// renderListing renders GET /v1/checkpoints from the checkpoints and the
// JSON etag of each (etags[i] belongs to cks[i]).
func renderListing(cks []*fsm.Checkpoint, etags []string) (*renderedBody, error) {
	l := checkpointListing{Checkpoints: make([]checkpointSummary, len(cks))}
	for i, ck := range cks {
		l.Checkpoints[i] = checkpointSummary{
			N: ck.N, Since: ck.Since, Until: ck.Until, Keys: ck.KeyCount, Revoked: ck.RevokedCount,
			SealedAt: ck.SealedAt.UTC().Format(time.RFC3339),
			SHA256:   strings.Trim(etags[i], `"`),
		}
		l.Latest = max(l.Latest, ck.N)
	}
	body, err := marshalBody(l)
	if err != nil {
		return nil, err
	}
	return newRendered(bodyKey{}, nil, body), nil
}
