package client

import (
	"context"
	"net/http"
	"time"
)

// Provider is a health-care provider allowed to issue codes.
type Provider struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	QuotaPerDay uint32    `json:"quotaPerDay"`
	Suspended   bool      `json:"suspended"`
	Created     time.Time `json:"created"`
	Meta        Meta      `json:"-"`
}

// NewProvider is the answer to POST /v1/providers; Token is shown once.
type NewProvider struct {
	ID    string `json:"id"`
	Token string `json:"token"`
	Meta  Meta   `json:"-"`
}

// ProviderList is the answer of GET /v1/providers.
type ProviderList struct {
	Providers []Provider `json:"providers"`
	Meta      Meta       `json:"-"`
}

// ProviderChange is the answer to suspend and resume.
type ProviderChange struct {
	Provider Provider `json:"provider"`
	Seq      uint64   `json:"seq"`
	Meta     Meta     `json:"-"`
}

// ProviderRollback is the answer to a provider's retroactive rollback.
type ProviderRollback struct {
	Provider    string `json:"provider"`
	Submissions int    `json:"submissions"`
	Revoked     int    `json:"revoked"`
	Seq         uint64 `json:"seq"`
	Meta        Meta   `json:"-"`
}

// AddProvider creates a provider (admin). quotaPerDay 0 means unlimited.
func (c *Client) AddProvider(ctx context.Context, name string, quotaPerDay uint32) (NewProvider, error) {
	body := map[string]any{"name": name}
	if quotaPerDay > 0 {
		body["quotaPerDay"] = quotaPerDay
	}
	var out NewProvider
	meta, err := c.doJSON(ctx, request{method: http.MethodPost, path: "/v1/providers", body: body}, &out)
	out.Meta = meta
	return out, err
}

// Providers lists the providers (admin).
func (c *Client) Providers(ctx context.Context, opts ...ReadOption) (ProviderList, error) {
	r := request{method: http.MethodGet, path: "/v1/providers"}
	r.apply(opts)
	var out ProviderList
	meta, err := c.doJSON(ctx, r, &out)
	out.Meta = meta
	return out, err
}

// Provider returns one provider (admin).
func (c *Client) Provider(ctx context.Context, id string, opts ...ReadOption) (Provider, error) {
	r := request{method: http.MethodGet, path: "/v1/providers/" + pathID(id)}
	r.apply(opts)
	var out Provider
	meta, err := c.doJSON(ctx, r, &out)
	out.Meta = meta
	return out, err
}

// SuspendProvider stops a provider's token and unused codes (admin).
func (c *Client) SuspendProvider(ctx context.Context, id string) (ProviderChange, error) {
	return c.providerAction(ctx, id, "suspend")
}

// ResumeProvider lifts a suspension (admin).
func (c *Client) ResumeProvider(ctx context.Context, id string) (ProviderChange, error) {
	return c.providerAction(ctx, id, "resume")
}

func (c *Client) providerAction(ctx context.Context, id, action string) (ProviderChange, error) {
	var out ProviderChange
	meta, err := c.doJSON(ctx, request{method: http.MethodPost, path: "/v1/providers/" + pathID(id) + "/" + action}, &out)
	out.Meta = meta
	return out, err
}

// RollbackProvider rolls back every submission made with the provider's
// codes in [since, until) (admin); a zero until means "until now".
func (c *Client) RollbackProvider(ctx context.Context, id string, since, until time.Time) (ProviderRollback, error) {
	body := map[string]string{"since": since.UTC().Format(time.RFC3339)}
	if !until.IsZero() {
		body["until"] = until.UTC().Format(time.RFC3339)
	}
	var out ProviderRollback
	meta, err := c.doJSON(ctx, request{method: http.MethodPost, path: "/v1/providers/" + pathID(id) + "/rollback", body: body}, &out)
	out.Meta = meta
	return out, err
}
