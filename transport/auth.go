package transport

import (
	"context"
	"net/http"
	"strings"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/secrets"
)

// principal is who made a request.
type principal struct {
	admin      bool
	providerID string
}

type principalKey struct{}

func principalOf(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

// authenticate resolves the bearer token. Tokens are compared as SHA-256
// hashes: the admin hash in constant time, provider tokens by looking up
// their hash (the lookup reveals nothing about the token) and then a
// constant-time comparison.
func (s *Server) authenticate(r *http.Request) (principal, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return principal{}, errUnauthenticated
	}
	th := secrets.TokenHash(strings.TrimSpace(tok))
	if secrets.Equal(th[:], s.cfg.AdminTokenHash[:]) {
		return principal{admin: true}, nil
	}
	p, err := s.state.ProviderByToken(fsm.Hash(th))
	if err != nil || !secrets.Equal(p.TokenHash[:], th[:]) {
		return principal{}, errUnauthenticated
	}
	if p.Suspended {
		return principal{}, &apiError{status: 403, code: codeForbidden, msg: "the provider is suspended"}
	}
	return principal{providerID: p.ID}, nil
}

func (s *Server) withRole(allow func(principal) error, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err == nil {
			err = allow(p)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// admin allows only the admin token.
func (s *Server) admin(next http.HandlerFunc) http.HandlerFunc {
	return s.withRole(func(p principal) error {
		if !p.admin {
			return errAdminOnly
		}
		return nil
	}, next)
}

// provider allows only provider tokens.
func (s *Server) provider(next http.HandlerFunc) http.HandlerFunc {
	return s.withRole(func(p principal) error {
		if p.providerID == "" {
			return errProviderOnly
		}
		return nil
	}, next)
}

// providerOrAdmin allows both roles; handlers scope what a provider sees.
func (s *Server) providerOrAdmin(next http.HandlerFunc) http.HandlerFunc {
	return s.withRole(func(principal) error { return nil }, next)
}
