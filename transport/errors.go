package transport

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/tekstore/tekstore/cluster"

	"github.com/tekstore/tekstore/codes"
	"github.com/tekstore/tekstore/fsm"
)

// Error codes of spec §2.
const (
	codeBadRequest     = "bad_request"
	codeInvalidKey     = "invalid_key"
	codeUnauthn        = "unauthenticated"
	codeForbidden      = "forbidden"
	codeCodeInvalid    = "code_invalid"
	codeCodeUsed       = "code_used"
	codeNotFound       = "not_found"
	codeTooLarge       = "too_large"
	codeUnsupported    = "unsupported_media_type"
	codeRateLimited    = "rate_limited"
	codeNoLeader       = "no_leader"
	codeNotCaughtUp    = "not_caught_up"
	codeUnavailable    = "unavailable"
	codeConflict       = "conflict"
	codeInternal       = "internal"
	codeMethodNotAllow = "method_not_allowed"
)

// apiError is an error that already knows its HTTP answer.
type apiError struct {
	status     int
	code       string
	msg        string
	retryAfter int // seconds; 0 = no header
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &apiError{status: http.StatusBadRequest, code: codeBadRequest, msg: fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) error {
	return &apiError{status: http.StatusNotFound, code: codeNotFound, msg: fmt.Sprintf(format, a...)}
}

var (
	errUnauthenticated = &apiError{status: http.StatusUnauthorized, code: codeUnauthn, msg: "a valid bearer token is required"}
	errAdminOnly       = &apiError{status: http.StatusForbidden, code: codeForbidden, msg: "this needs the admin token"}
	errProviderOnly    = &apiError{status: http.StatusForbidden, code: codeForbidden, msg: "this needs a provider token"}
)

// toAPIError maps every error the handlers see to its answer. It is the one
// place where errors become HTTP status codes.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ke *fsm.KeyError
	switch {
	case errors.As(err, &ke):
		return &apiError{status: 400, code: codeInvalidKey, msg: ke.Error()}
	case errors.Is(err, fsm.ErrInvalidKey):
		return &apiError{status: 400, code: codeInvalidKey, msg: err.Error()}
	case errors.Is(err, codes.ErrCheck):
		return &apiError{status: 403, code: codeCodeInvalid, msg: "the code's last character does not match: probably a typo, please check the code"}
	case errors.Is(err, codes.ErrMalformed), errors.Is(err, fsm.ErrCodeInvalid):
		return &apiError{status: 403, code: codeCodeInvalid, msg: "unknown code"}
	case errors.Is(err, fsm.ErrCodeExpired):
		return &apiError{status: 403, code: codeCodeInvalid, msg: "the code has expired"}
	case errors.Is(err, fsm.ErrProviderSuspend):
		return &apiError{status: 403, code: codeCodeInvalid, msg: "the code's provider is suspended"}
	case errors.Is(err, fsm.ErrCodeUsed):
		return &apiError{status: 409, code: codeCodeUsed, msg: "the code was already used for a different set of keys"}
	case errors.Is(err, fsm.ErrForbidden):
		return &apiError{status: 403, code: codeForbidden, msg: "not allowed for this token"}
	case errors.Is(err, fsm.ErrNotFound):
		return &apiError{status: 404, code: codeNotFound, msg: err.Error()}
	case errors.Is(err, fsm.ErrQuotaExceeded):
		return &apiError{status: 429, code: codeRateLimited, msg: "the provider's daily code quota is used up", retryAfter: 3600}
	case errors.Is(err, fsm.ErrBadCommand):
		return &apiError{status: 400, code: codeBadRequest, msg: err.Error()}
	case errors.Is(err, fsm.ErrFeatureLevel):
		return &apiError{status: 503, code: codeUnavailable, msg: "not available until every node of the cluster runs this release (a rolling upgrade is not finished)", retryAfter: 60}
	case errors.Is(err, fsm.ErrExists):
		return &apiError{status: 409, code: codeConflict, msg: err.Error()}
	case errors.Is(err, cluster.ErrMemberConflict), errors.Is(err, cluster.ErrLastVoter):
		return &apiError{status: 409, code: codeConflict, msg: err.Error()}
	case errors.Is(err, cluster.ErrNoLeader), errors.Is(err, cluster.ErrNotLeader), errors.Is(err, cluster.ErrHandedOver):
		return &apiError{status: 503, code: codeNoLeader, msg: "the cluster has no leader right now", retryAfter: 1}
	case errors.Is(err, cluster.ErrNotCaughtUp):
		return &apiError{status: 503, code: codeNotCaughtUp, msg: "this node has not reached the requested index yet", retryAfter: 1}
	case errors.Is(err, cluster.ErrLeadershipLost), errors.Is(err, cluster.ErrShutdown):
		return &apiError{status: 503, code: codeUnavailable, msg: "leadership changed while committing; retry (retries are safe)", retryAfter: 1}
	}
	return &apiError{status: 500, code: codeInternal, msg: "internal error"}
}
