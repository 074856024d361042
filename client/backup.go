package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Backup is a streamed snapshot of the whole state. The caller must Close it.
type Backup struct {
	io.ReadCloser
	// ContentType is the server's media type of the stream.
	ContentType string
	Meta        Meta
}

// Backup streams a consistent snapshot of the whole state (admin,
// GET /v1/backup). The stream is read from the network as the caller reads.
func (c *Client) Backup(ctx context.Context) (*Backup, error) {
	resp, meta, err := c.send(ctx, request{method: http.MethodGet, path: "/v1/backup",
		header: http.Header{"Accept": {"application/octet-stream"}}})
	if err != nil {
		return nil, err
	}
	return &Backup{ReadCloser: resp.Body, ContentType: resp.Header.Get("Content-Type"), Meta: meta}, nil
}

// BackupTo writes a snapshot to w and returns the number of bytes written.
func (c *Client) BackupTo(ctx context.Context, w io.Writer) (int64, Meta, error) {
	b, err := c.Backup(ctx)
	if err != nil {
		return 0, Meta{}, err
	}
	defer b.Close()
	n, err := io.Copy(w, b)
	if err != nil {
		return n, b.Meta, fmt.Errorf("copy backup stream: %w", err)
	}
	return n, b.Meta, nil
}
