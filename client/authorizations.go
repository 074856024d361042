package client

import (
	"context"
	"net/http"
	"time"
)

// maxPDFBytes bounds a printable card sheet (1000 cards with QR codes).
const maxPDFBytes = 64 << 20

// AuthorizationRequest is the body of POST /v1/authorizations. Zero
// fields are left out so the server's defaults apply.
type AuthorizationRequest struct {
	Count int `json:"count,omitempty"`
	// TTL is how long the codes stay valid (a Go duration such as "48h").
	TTL string `json:"ttl,omitempty"`
	// ReportType is one of the Report* constants.
	ReportType string `json:"reportType,omitempty"`
	// Onset is the date symptoms began, "2006-01-02".
	Onset string `json:"onset,omitempty"`
}

// IssuedCode is one code, shown once.
type IssuedCode struct {
	Code      string    `json:"code"`
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Authorizations is the answer to POST /v1/authorizations.
type Authorizations struct {
	Codes []IssuedCode `json:"codes"`
	Meta  Meta         `json:"-"`
}

// IssueCodes issues single-use codes as a provider (spec §5).
func (c *Client) IssueCodes(ctx context.Context, req AuthorizationRequest) (Authorizations, error) {
	var out Authorizations
	meta, err := c.doJSON(ctx, request{method: http.MethodPost, path: "/v1/authorizations", body: req}, &out)
	out.Meta = meta
	return out, err
}

// PDF is a printable document.
type PDF struct {
	Data []byte
	Meta Meta
}

// IssueCodesPDF issues codes and returns them as printable cards (one code
// and its QR code per card); the codes appear nowhere else.
func (c *Client) IssueCodesPDF(ctx context.Context, req AuthorizationRequest) (PDF, error) {
	r := request{method: http.MethodPost, path: "/v1/authorizations", body: req,
		header: http.Header{"Accept": {"application/pdf"}}}
	b, meta, err := c.doBytes(ctx, r, maxPDFBytes)
	return PDF{Data: b, Meta: meta}, err
}
