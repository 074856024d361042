package client

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Size bounds of checkpoint answers.
const (
	maxCheckpointBytes = 256 << 20
	maxExportBytes     = 256 << 20
	maxIndexBytes      = 16 << 20
)

// CheckpointInfo is one entry of GET /v1/checkpoints.
type CheckpointInfo struct {
	N        uint64    `json:"n"`
	Since    uint64    `json:"since"`
	Until    uint64    `json:"until"`
	Keys     int       `json:"keys"`
	Revoked  int       `json:"revoked"`
	SealedAt time.Time `json:"sealedAt"`
	SHA256   string    `json:"sha256"`
}

// CheckpointList is the answer of GET /v1/checkpoints.
type CheckpointList struct {
	Latest      uint64           `json:"latest"`
	Checkpoints []CheckpointInfo `json:"checkpoints"`
	Meta        Meta             `json:"-"`
}

// Checkpoint is one sealed delta (GET /v1/checkpoints/{n}).
type Checkpoint struct {
	Delta
	// SHA256 is the hex SHA-256 of the body as received.
	SHA256 string
	// ETag is the server's entity tag.
	ETag string
	// Body is the raw JSON, byte-identical on every node.
	Body []byte
}

// ExportFile is a GAEN export zip (export.bin and export.sig).
type ExportFile struct {
	Data []byte
	Meta Meta
}

// Checkpoints lists the sealed checkpoints.
func (c *Client) Checkpoints(ctx context.Context, opts ...ReadOption) (CheckpointList, error) {
	r := request{method: http.MethodGet, path: "/v1/checkpoints"}
	r.apply(opts)
	var out CheckpointList
	meta, err := c.doJSON(ctx, r, &out)
	out.Meta = meta
	return out, err
}

// Checkpoint returns checkpoint n.
func (c *Client) Checkpoint(ctx context.Context, n uint64, opts ...ReadOption) (Checkpoint, error) {
	r := request{method: http.MethodGet, path: "/v1/checkpoints/" + strconv.FormatUint(n, 10)}
	r.apply(opts)
	resp, meta, err := c.send(ctx, r)
	if err != nil {
		return Checkpoint{Delta: Delta{Meta: meta}}, err
	}
	defer resp.Body.Close()
	body, err := readAll(resp.Body, maxCheckpointBytes)
	if err != nil {
		return Checkpoint{Delta: Delta{Meta: meta}}, fmt.Errorf("GET checkpoint %d: %w", n, err)
	}
	out := Checkpoint{Body: body, ETag: strings.Trim(resp.Header.Get("ETag"), `"`)}
	if err := json.Unmarshal(out.Body, &out.Delta); err != nil {
		return out, fmt.Errorf("GET checkpoint %d: decode answer: %w: %w", n, ErrUnexpectedResponse, err)
	}
	sum := sha256.Sum256(out.Body)
	out.SHA256, out.Meta = hex.EncodeToString(sum[:]), meta
	return out, nil
}

// CheckpointExport returns checkpoint n as a signed GAEN export zip.
func (c *Client) CheckpointExport(ctx context.Context, n uint64, opts ...ReadOption) (ExportFile, error) {
	r := request{method: http.MethodGet, path: "/v1/checkpoints/" + strconv.FormatUint(n, 10) + "/export.zip",
		header: http.Header{"Accept": {"application/zip"}}}
	r.apply(opts)
	b, meta, err := c.doBytes(ctx, r, maxExportBytes)
	return ExportFile{Data: b, Meta: meta}, err
}

// ExportIndex returns the lines of GET /v1/export/index.txt (export files,
// oldest first).
func (c *Client) ExportIndex(ctx context.Context, opts ...ReadOption) ([]string, Meta, error) {
	r := request{method: http.MethodGet, path: "/v1/export/index.txt", header: http.Header{"Accept": {"text/plain"}}}
	r.apply(opts)
	b, meta, err := c.doBytes(ctx, r, maxIndexBytes)
	if err != nil {
		return nil, meta, err
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, meta, sc.Err()
}
