package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Submission states.
const (
	SubmissionActive     = "active"
	SubmissionRolledBack = "rolled_back"
)

// Submission is one accepted upload.
type Submission struct {
	ID            string    `json:"id"`
	Provider      string    `json:"provider"`
	Authorization string    `json:"authorization"`
	Keys          []Key     `json:"keys"`
	Seq           uint64    `json:"seq"`
	State         string    `json:"state"`
	Time          time.Time `json:"time"`
	Inserted      int       `json:"inserted"`
	Revoked       int       `json:"revoked"`
	Reason        string    `json:"reason,omitempty"`
	RollbackSeq   uint64    `json:"rollbackSeq,omitempty"`
	Meta          Meta      `json:"-"`
}

// SubmissionList is the answer of GET /v1/submissions.
type SubmissionList struct {
	Submissions []Submission `json:"submissions"`
	Meta        Meta         `json:"-"`
}

// Submissions lists the caller's submissions (an admin sees all) made at or
// after since (zero: all).
func (c *Client) Submissions(ctx context.Context, since time.Time, opts ...ReadOption) (SubmissionList, error) {
	r := request{method: http.MethodGet, path: "/v1/submissions"}
	if !since.IsZero() {
		r.query = url.Values{"since": {since.UTC().Format(time.RFC3339)}}
	}
	r.apply(opts)
	var out SubmissionList
	meta, err := c.doJSON(ctx, r, &out)
	out.Meta = meta
	return out, err
}

// Submission returns one submission.
func (c *Client) Submission(ctx context.Context, id string, opts ...ReadOption) (Submission, error) {
	r := request{method: http.MethodGet, path: "/v1/submissions/" + pathID(id)}
	r.apply(opts)
	var out Submission
	meta, err := c.doJSON(ctx, r, &out)
	out.Meta = meta
	return out, err
}

// RollbackSubmission rolls a submission back (its provider or an admin).
// Idempotent.
func (c *Client) RollbackSubmission(ctx context.Context, id, reason string) (RevokeResult, error) {
	body := map[string]string{}
	if reason != "" {
		body["reason"] = reason
	}
	var out RevokeResult
	meta, err := c.doJSON(ctx, request{method: http.MethodPost, path: "/v1/submissions/" + pathID(id) + "/rollback", body: body}, &out)
	out.Meta = meta
	return out, err
}

// RevocationRequest is the body of POST /v1/revocations.
type RevocationRequest struct {
	Keys   []KeyRef `json:"keys"`
	Reason string   `json:"reason,omitempty"`
}

// Revoke revokes single keys (an admin, or the provider whose submissions
// hold them).
func (c *Client) Revoke(ctx context.Context, req RevocationRequest) (RevokeResult, error) {
	var out RevokeResult
	meta, err := c.doJSON(ctx, request{method: http.MethodPost, path: "/v1/revocations", body: req}, &out)
	out.Meta = meta
	return out, err
}
