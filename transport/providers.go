package transport

import (
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/secrets"
)

// maxProviderName bounds a provider's display name.
const maxProviderName = 200

type providerAddRequest struct {
	Name        *string `json:"name"`
	QuotaPerDay *int64  `json:"quotaPerDay"`
}

type providerOut struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	QuotaPerDay uint32 `json:"quotaPerDay"`
	Suspended   bool   `json:"suspended"`
	Created     string `json:"created"`
}

func toProviderOut(p fsm.Provider) providerOut {
	return providerOut{ID: p.ID, Name: p.Name, QuotaPerDay: p.QuotaPerDay, Suspended: p.Suspended, Created: p.Created.Format(time.RFC3339)}
}

// handleProviderAdd is POST /v1/providers: the token is shown once and
// stored only as a hash.
func (s *Server) handleProviderAdd(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, smallBodyLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req providerAddRequest
	if err := decodeStrict(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Name == nil || strings.TrimSpace(*req.Name) == "" || len(*req.Name) > maxProviderName {
		s.writeError(w, r, badRequest("name is required (1..%d bytes)", maxProviderName))
		return
	}
	var quota uint32
	if req.QuotaPerDay != nil {
		if *req.QuotaPerDay < 0 || *req.QuotaPerDay > 10_000_000 {
			s.writeError(w, r, badRequest("quotaPerDay must be 0..10000000 (0 = unlimited)"))
			return
		}
		quota = uint32(*req.QuotaPerDay)
	}
	if !s.leaderOrForward(w, r, body) {
		return
	}
	id, err := secrets.NewID(secrets.ProviderIDPrefix)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tok, err := secrets.NewToken(secrets.ProviderTokenPrefix)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	th := secrets.TokenHash(tok)
	res, err := s.store.Propose(r.Context(), fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER,
		&fsmpb.CreateProvider{Id: id, Name: strings.TrimSpace(*req.Name), TokenHash: th[:], QuotaPerDay: quota})
	if err == nil {
		err = res.Err
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": id, "token": tok})
}

// handleProviderList is GET /v1/providers.
func (s *Server) handleProviderList(w http.ResponseWriter, r *http.Request) {
	ps := s.state.Providers()
	out := make([]providerOut, len(ps))
	for i, p := range ps {
		out[i] = toProviderOut(p)
	}
	writeJSON(w, http.StatusOK, map[string]any{"providers": out})
}

func (s *Server) providerFromPath(r *http.Request) (fsm.Provider, error) {
	id := mux.Vars(r)["id"]
	if !validID(id) {
		return fsm.Provider{}, notFound("unknown provider")
	}
	p, err := s.state.Provider(id)
	if err != nil {
		return p, notFound("unknown provider")
	}
	return p, nil
}

// handleProviderGet is GET /v1/providers/{id}.
func (s *Server) handleProviderGet(w http.ResponseWriter, r *http.Request) {
	p, err := s.providerFromPath(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toProviderOut(p))
}

// handleProviderSuspend is POST /v1/providers/{id}/suspend and .../resume.
func (s *Server) handleProviderSuspend(suspend bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(w, r, smallBodyLimit)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		p, err := s.providerFromPath(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !s.leaderOrForward(w, r, body) {
			return
		}
		res, err := s.store.Propose(r.Context(), fsmpb.CommandType_COMMAND_TYPE_SET_PROVIDER_SUSPENDED,
			&fsmpb.SetProviderSuspended{Id: p.ID, Suspended: suspend})
		if err == nil {
			err = res.Err
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		p.Suspended = suspend
		out := toProviderOut(p)
		writeJSON(w, http.StatusOK, map[string]any{"provider": out, "seq": res.Seq})
	}
}

type providerRollbackRequest struct {
	Since *string `json:"since"`
	Until *string `json:"until"`
}

// handleProviderRollback is POST /v1/providers/{id}/rollback: every
// submission made with this provider's codes in [since, until) is rolled back.
func (s *Server) handleProviderRollback(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, smallBodyLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req providerRollbackRequest
	if err := decodeStrict(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Since == nil {
		s.writeError(w, r, badRequest("since is required (RFC 3339)"))
		return
	}
	since, err := time.Parse(time.RFC3339, *req.Since)
	if err != nil {
		s.writeError(w, r, badRequest("since must be an RFC 3339 time"))
		return
	}
	cmd := &fsmpb.RollbackProvider{SinceUnixMs: since.UnixMilli()}
	if req.Until != nil {
		until, err := time.Parse(time.RFC3339, *req.Until)
		if err != nil || !until.After(since) {
			s.writeError(w, r, badRequest("until must be an RFC 3339 time after since"))
			return
		}
		cmd.UntilUnixMs = until.UnixMilli()
	}
	p, err := s.providerFromPath(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cmd.ProviderId = p.ID
	if !s.leaderOrForward(w, r, body) {
		return
	}
	res, err := s.store.Propose(r.Context(), fsmpb.CommandType_COMMAND_TYPE_ROLLBACK_PROVIDER, cmd)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pr, _ := res.Value.(fsm.ProviderRollbackResult)
	writeJSON(w, http.StatusOK, map[string]any{"provider": p.ID, "submissions": pr.Submissions, "revoked": pr.Revoked, "seq": pr.Seq})
}
