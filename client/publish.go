package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// PublishRequest is the body of POST /v1/publish.
type PublishRequest struct {
	Code    string `json:"code"`
	Keys    []Key  `json:"keys"`
	Padding string `json:"padding,omitempty"`
}

// PublishResult is the answer to a publish.
type PublishResult struct {
	Submission    string `json:"submission"`
	Inserted      int    `json:"inserted"`
	Seq           uint64 `json:"seq"`
	RevisionToken string `json:"revisionToken"`
	Meta          Meta   `json:"-"`
}

// Publish uploads keys with a code (spec §4). Retrying with the same code
// and keys returns the same answer.
func (c *Client) Publish(ctx context.Context, req PublishRequest) (PublishResult, error) {
	return c.publish(ctx, req, false)
}

// PublishChaff sends a decoy upload (X-Chaff: 1): the server stores nothing
// and answers in the shape of a real publish.
func (c *Client) PublishChaff(ctx context.Context, req PublishRequest) (PublishResult, error) {
	return c.publish(ctx, req, true)
}

// EncodedPublish is a publish body encoded once (EncodePublish), to be sent
// any number of times: a load generator's uploads, or an app's retries.
type EncodedPublish struct{ body []byte }

// EncodePublish encodes req as the body of POST /v1/publish.
func EncodePublish(req PublishRequest) (EncodedPublish, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return EncodedPublish{}, fmt.Errorf("encode publish: %w", err)
	}
	return EncodedPublish{body: b}, nil
}

// PublishEncoded is Publish with a body encoded beforehand.
func (c *Client) PublishEncoded(ctx context.Context, body EncodedPublish) (PublishResult, error) {
	var out PublishResult
	meta, err := c.doJSON(ctx, request{method: http.MethodPost, path: "/v1/publish", rawBody: body.body}, &out)
	out.Meta = meta
	return out, err
}

func (c *Client) publish(ctx context.Context, req PublishRequest, chaff bool) (PublishResult, error) {
	r := request{method: http.MethodPost, path: "/v1/publish", body: req}
	if chaff {
		r.header = http.Header{"X-Chaff": {"1"}}
	}
	var out PublishResult
	meta, err := c.doJSON(ctx, r, &out)
	out.Meta = meta
	return out, err
}

// RevokeResult is the answer to a revocation or rollback.
type RevokeResult struct {
	Submission string `json:"submission,omitempty"`
	Revoked    int    `json:"revoked"`
	Seq        uint64 `json:"seq"`
	Meta       Meta   `json:"-"`
}

// RevokePublish de-registers the app's own submission with the
// revisionToken it was given (POST /v1/publish/revoke). Idempotent.
func (c *Client) RevokePublish(ctx context.Context, revisionToken string) (RevokeResult, error) {
	var out RevokeResult
	meta, err := c.doJSON(ctx, request{method: http.MethodPost, path: "/v1/publish/revoke",
		body: map[string]string{"revisionToken": revisionToken}}, &out)
	out.Meta = meta
	return out, err
}
