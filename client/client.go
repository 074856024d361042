package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Response headers every tekstore answer carries (spec §2).
const (
	HeaderNode  = "X-Tekstore-Node"
	HeaderIndex = "X-Tekstore-Index"
)

// DefaultTimeout bounds a whole request when the caller brings no
// *http.Client; it is above the API's 60 s long-poll maximum.
const DefaultTimeout = 90 * time.Second

// ErrBadBaseURL is returned by New for a base URL that is not http(s).
var ErrBadBaseURL = errors.New("base URL must be an absolute http or https URL")

// Meta describes who answered a request.
type Meta struct {
	// Node is the id of the node that served the request (X-Tekstore-Node).
	Node string
	// Index is that node's applied Raft index (X-Tekstore-Index).
	Index uint64
	// Status is the HTTP status code.
	Status int
}

func metaOf(resp *http.Response) Meta {
	m := Meta{Node: resp.Header.Get(HeaderNode), Status: resp.StatusCode}
	if v := resp.Header.Get(HeaderIndex); v != "" {
		m.Index, _ = strconv.ParseUint(v, 10, 64)
	}
	return m
}

// Client talks to one tekstore node (any node: writes are forwarded to the
// leader). It is safe for concurrent use.
type Client struct {
	base      *url.URL
	token     string
	hc        *http.Client
	userAgent string
	hook      func(*http.Response)
}

// Option configures a Client.
type Option func(*Client)

// WithToken sets the bearer token (provider or admin) sent with every request.
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient replaces the HTTP client (transports, timeouts, TLS).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithResponseHook calls fn with every response before its body is read
// (for metrics or tracing); fn must not read or close the body.
func WithResponseHook(fn func(*http.Response)) Option { return func(c *Client) { c.hook = fn } }

// New returns a client for the node at baseURL (e.g. http://127.0.0.1:8080).
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: %q", ErrBadBaseURL, baseURL)
	}
	c := &Client{base: u, userAgent: "tekstore-client"}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: DefaultTimeout}
	}
	return c, nil
}

// BaseURL returns the node's base URL.
func (c *Client) BaseURL() string { return c.base.String() }

// WithToken returns a copy of c that sends another token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// ReadOption adds consistency parameters to a read (spec §2).
type ReadOption func(url.Values)

// MinIndex makes the node wait until it has applied index i before
// answering (read-your-writes on followers); 503 not_caught_up otherwise.
func MinIndex(i uint64) ReadOption {
	return func(q url.Values) {
		if i > 0 {
			q.Set("min_index", strconv.FormatUint(i, 10))
		}
	}
}

// Wait bounds how long the node may wait (min_index, long polls; max 60s).
func Wait(d time.Duration) ReadOption {
	return func(q url.Values) {
		if d > 0 {
			q.Set("wait", d.String())
		}
	}
}

// request is one API call.
type request struct {
	method string
	path   string // already escaped
	query  url.Values
	body   any // JSON-encoded when not nil
	// rawBody, when not nil, is sent as the JSON body instead of body.
	rawBody []byte
	header  http.Header
}

func (r *request) apply(opts []ReadOption) {
	if len(opts) == 0 {
		return
	}
	if r.query == nil {
		r.query = url.Values{}
	}
	for _, o := range opts {
		o(r.query)
	}
}

// send performs r. On a 2xx answer the caller owns resp.Body; any other
// answer is read, closed and returned as *APIError.
func (c *Client) send(ctx context.Context, r request) (*http.Response, Meta, error) {
	target := c.base.String() + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	switch {
	case r.rawBody != nil:
		body = bytes.NewReader(r.rawBody)
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, Meta{}, fmt.Errorf("encode %s %s: %w", r.method, r.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("build %s %s: %w", r.method, r.path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	if c.hook != nil {
		c.hook(resp)
	}
	meta := metaOf(resp)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, meta, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return nil, meta, parseAPIError(resp, b, meta)
}

// doJSON performs r and decodes a JSON answer into out (nil: discard).
func (c *Client) doJSON(ctx context.Context, r request, out any) (Meta, error) {
	resp, meta, err := c.send(ctx, r)
	if err != nil {
		return meta, err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return meta, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return meta, fmt.Errorf("%s %s: decode answer: %w: %w", r.method, r.path, ErrUnexpectedResponse, err)
	}
	return meta, nil
}

// doBytes performs r and returns the whole body (at most limit bytes).
func (c *Client) doBytes(ctx context.Context, r request, limit int64) ([]byte, Meta, error) {
	resp, meta, err := c.send(ctx, r)
	if err != nil {
		return nil, meta, err
	}
	defer resp.Body.Close()
	b, err := readAll(resp.Body, limit)
	if err != nil {
		return nil, meta, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	return b, meta, nil
}

// readAll reads a whole body of at most limit bytes; a larger body is an
// error rather than silently truncated.
func readAll(body io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("answer larger than %d bytes: %w", limit, ErrUnexpectedResponse)
	}
	return b, nil
}

// pathID escapes one opaque id for use as a path segment.
func pathID(id string) string { return url.PathEscape(id) }
