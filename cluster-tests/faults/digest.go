package faults

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/tekstore/tekstore/transport"
)

// ErrBadBackup: a backup stream's trailer digest does not match its body.
var ErrBadBackup = errors.New("faults: backup digest trailer does not match the body")

// NodeDigest is one node's state digest and the index it reflects.
type NodeDigest struct {
	Index  uint64
	Digest string
}

// String formats the digest for history.CheckDigestsEqual, index first, so
// that a mismatch names both.
func (d NodeDigest) String() string { return fmt.Sprintf("index %d sha256 %s", d.Index, d.Digest) }

// backupDigest streams GET /v1/backup from a node: the SHA-256 of the body
// is the node's state digest (fsm.State.Digest), which the server also
// sends in the X-Tekstore-Backup-Digest trailer; both must agree.
func (c *Cluster) backupDigest(ctx context.Context, id string) (NodeDigest, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL(id)+"/v1/backup", nil)
	if err != nil {
		return NodeDigest{}, fmt.Errorf("backup of %s: %w", id, err)
	}
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	resp, err := c.hc.Do(req)
	if err != nil {
		return NodeDigest{}, fmt.Errorf("backup of %s: %w", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return NodeDigest{}, fmt.Errorf("backup of %s: HTTP %d", id, resp.StatusCode)
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, resp.Body); err != nil {
		return NodeDigest{}, fmt.Errorf("backup of %s: read: %w", id, err)
	}
	got := hex.EncodeToString(sum.Sum(nil))
	if t := resp.Trailer.Get(transport.HeaderBackupDigest); t != got {
		return NodeDigest{}, fmt.Errorf("backup of %s: trailer %q, body %s: %w", id, t, got, ErrBadBackup)
	}
	idx, err := strconv.ParseUint(resp.Header.Get(transport.HeaderBackupIndex), 10, 64)
	if err != nil {
		return NodeDigest{}, fmt.Errorf("backup of %s: index header: %w", id, err)
	}
	return NodeDigest{Index: idx, Digest: got}, nil
}

// Digests returns the state digest of every serving member, polling (up
// to within) until all reflect the same index, as they do once the
// cluster is quiet.
func (c *Cluster) Digests(ctx context.Context, within time.Duration) (map[string]NodeDigest, error) {
	var out map[string]NodeDigest
	var last error
	err := poll(ctx, within, func() bool {
		out, last = make(map[string]NodeDigest), nil
		var idx uint64
		same := true
		for i, id := range c.Serving() {
			d, err := c.backupDigest(ctx, id)
			if err != nil {
				last = err
				return false
			}
			out[id] = d
			if i > 0 && d.Index != idx {
				same = false
			}
			idx = d.Index
		}
		return same
	})
	if err != nil && last != nil {
		return out, fmt.Errorf("state digests: %w (last error: %v)", err, last)
	}
	return out, nil // differing indexes are left to CheckDigestsEqual to report
}
