package transport

import (
	"context"
	"errors"
	"io"
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
		if errors.Is(err, errUnauthenticated) && r.Method != http.MethodGet && r.Method != http.MethodHead &&
			r.Header.Get("Authorization") != "" && s.settle(r) {
			// A provider token made moments ago may not have been applied
			// here yet: catch up with the leader's last commit and look
			// again; a follower out of sync relays the write instead.
			if p, err = s.authenticate(r); errors.Is(err, errUnauthenticated) {
				body, rerr := io.ReadAll(io.LimitReader(r.Body, maxRelayBody+1))
				if rerr == nil && len(body) <= maxRelayBody && s.relayUnknown(w, r, body) {
					return
				}
			}
		}
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

// maxRelayBody bounds the body of an authenticated write relayed by
// relayUnknown (the largest such body, a revocation of 1000 keys, is
// about 100 KiB).
const maxRelayBody = 1 << 20

// relayUnknown handles a write that names something this node does not
// know (a code, revisionToken, submission or provider token): on a
// follower, which may simply lag behind the leader (it restarted, or was
// cut off), the request is relayed to the leader, which knows everything
// committed, and relayUnknown reports true (the answer is written). On the
// leader, or for a request already relayed, it reports false and the
// caller answers from its own state. Relaying uses HTTP forwarding, never
// the publish batcher, so an unknown code never reaches the Raft log.
//
// A follower that is in sync with the leader (caught up, heard from it
// within a heartbeat timeout) refuses from its own state like the leader:
// then an unknown code is refused where it arrived and never reaches the
// leader (spec: cheap rejection before Raft). Only a node that lags or is
// cut off relays. The window left is a code committed in the last few
// milliseconds and not yet applied here; people type codes far later.
func (s *Server) relayUnknown(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if st, ok := s.store.(interface{ InSync() bool }); ok && st.InSync() {
		return false
	}
	return s.relayToLeader(w, r, body)
}

// relayToLeader relays a write naming something this follower does not
// know to the leader, in sync or not. It is for writes whose volume a
// client's budget already bounds and whose subject a client just learned
// about from the leader: a rollback (provider or admin token, per-token
// budget) and a revisionToken de-registration (upload budget per address)
// of an upload confirmed moments ago. It reports true when it answered.
func (s *Server) relayToLeader(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if s.store.IsLeader() || r.Header.Get(headerForwardedBy) != "" {
		return false
	}
	return !s.leaderOrForward(w, r, body)
}

// settle runs on a follower, for a request not already relayed, before it
// refuses something it does not know: the node catches up with the
// leader's last commit without asking the leader (node.Settle). It reports
// whether it waited, i.e. whether the caller should look again.
func (s *Server) settle(r *http.Request) bool {
	if s.store.IsLeader() || r.Header.Get(headerForwardedBy) != "" {
		return false
	}
	st, ok := s.store.(interface{ Settle(context.Context) })
	if !ok {
		return false
	}
	st.Settle(r.Context())
	return true
}
