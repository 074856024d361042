package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error codes of spec §2, as found in APIError.Code.
const (
	CodeBadRequest       = "bad_request"
	CodeInvalidKey       = "invalid_key"
	CodeUnauthenticated  = "unauthenticated"
	CodeForbidden        = "forbidden"
	CodeCodeInvalid      = "code_invalid"
	CodeCodeUsed         = "code_used"
	CodeNotFound         = "not_found"
	CodeTooLarge         = "too_large"
	CodeUnsupportedMedia = "unsupported_media_type"
	CodeRateLimited      = "rate_limited"
	CodeNoLeader         = "no_leader"
	CodeNotCaughtUp      = "not_caught_up"
	CodeUnavailable      = "unavailable"
)

// ErrUnexpectedResponse is wrapped when a server answers something that is
// not the API's shape (a proxy's HTML page, a truncated body).
var ErrUnexpectedResponse = errors.New("unexpected response")

// APIError is an error answered by the server in the shape
// {"error": {"code": ..., "message": ...}}.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the spec's snake_case error code (CodeNotFound, ...).
	Code string
	// Message is the server's human sentence.
	Message string
	// RetryAfter is the Retry-After header (0 when absent).
	RetryAfter time.Duration
	// Meta describes who answered.
	Meta Meta
}

// Error returns "code: message", one line.
func (e *APIError) Error() string {
	msg := strings.ReplaceAll(e.Message, "\n", " ")
	if e.Code == "" {
		return fmt.Sprintf("HTTP %d: %s", e.Status, msg)
	}
	return e.Code + ": " + msg
}

// Temporary reports whether the same request may succeed later (503 with
// Retry-After, 429).
func (e *APIError) Temporary() bool {
	return e.Status == http.StatusServiceUnavailable || e.Status == http.StatusTooManyRequests
}

// HasCode reports whether err is an *APIError with the given code.
func HasCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

// errorBody is the error shape of spec §2.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// parseAPIError builds the APIError of a non-2xx answer.
func parseAPIError(resp *http.Response, body []byte, meta Meta) *APIError {
	ae := &APIError{Status: resp.StatusCode, Meta: meta, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err == nil && eb.Error.Code != "" {
		ae.Code, ae.Message = eb.Error.Code, eb.Error.Message
		return ae
	}
	ae.Message = http.StatusText(resp.StatusCode)
	if ae.Message == "" {
		ae.Message = "unexpected status"
	}
	return ae
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
