package transport

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/proto"
)

type submissionOut struct {
	ID            string   `json:"id"`
	Provider      string   `json:"provider"`
	Authorization string   `json:"authorization"`
	Keys          []keyOut `json:"keys"`
	Seq           uint64   `json:"seq"`
	State         string   `json:"state"`
	Time          string   `json:"time"`
	Inserted      int      `json:"inserted"`
	Revoked       int      `json:"revoked"`
	Reason        string   `json:"reason,omitempty"`
	RollbackSeq   uint64   `json:"rollbackSeq,omitempty"`
}

func toSubmissionOut(s fsm.Submission) submissionOut {
	return submissionOut{
		ID: s.ID, Provider: s.ProviderID, Authorization: s.AuthorizationID, Keys: toKeysOut(s.Keys),
		Seq: s.Seq, State: string(s.State), Time: s.Time.Format(time.RFC3339), Inserted: s.Inserted,
		Revoked: s.Revoked, Reason: s.Reason, RollbackSeq: s.RollbackSeq,
	}
}

// handleSubmissionsList is GET /v1/submissions[?since=T]: a provider's own
// submissions (an admin sees all).
func (s *Server) handleSubmissionsList(w http.ResponseWriter, r *http.Request) {
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.writeError(w, r, badRequest("since must be an RFC 3339 time"))
			return
		}
		since = t
	}
	subs := s.state.SubmissionsOf(principalOf(r).providerID, since)
	out := make([]submissionOut, len(subs))
	for i, sub := range subs {
		out[i] = toSubmissionOut(sub)
	}
	writeJSON(w, http.StatusOK, map[string]any{"submissions": out})
}

// submissionFor loads a submission the caller may see; another provider's
// submission is 403 forbidden (spec §2), an unknown or malformed id 404.
func (s *Server) submissionFor(r *http.Request) (fsm.Submission, error) {
	id := mux.Vars(r)["id"]
	if !validID(id) {
		return fsm.Submission{}, notFound("unknown submission")
	}
	sub, err := s.state.Submission(id)
	if err != nil {
		return sub, notFound("unknown submission")
	}
	if p := principalOf(r); !p.admin && p.providerID != sub.ProviderID {
		return sub, &apiError{status: 403, code: codeForbidden, msg: "this submission belongs to another provider"}
	}
	return sub, nil
}

// handleSubmissionGet is GET /v1/submissions/{id}.
func (s *Server) handleSubmissionGet(w http.ResponseWriter, r *http.Request) {
	sub, err := s.submissionFor(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSubmissionOut(sub))
}

type rollbackRequest struct {
	Reason *string `json:"reason"`
}

// maxReasonLen bounds the free-text reason stored with a rollback.
const maxReasonLen = 500

// handleSubmissionRollback is POST /v1/submissions/{id}/rollback. Idempotent.
func (s *Server) handleSubmissionRollback(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, smallBodyLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req rollbackRequest
	if len(body) > 0 {
		if err := decodeStrict(body, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	reason := ""
	if req.Reason != nil {
		reason = *req.Reason
	}
	if len(reason) > maxReasonLen {
		s.writeError(w, r, badRequest("reason is longer than %d bytes", maxReasonLen))
		return
	}
	sub, err := s.submissionFor(r)
	if err != nil && toAPIError(err).code == codeNotFound && s.relayToLeader(w, r, body) {
		return // maybe not applied here yet: the leader decides (see relayToLeader)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if sub.State == fsm.SubmissionRolledBack {
		writeJSON(w, http.StatusOK, revokeResponse{Submission: sub.ID, Revoked: sub.Revoked, Seq: sub.RollbackSeq})
		return
	}
	if !s.leaderOrForward(w, r, body) {
		return
	}
	s.proposeRevoke(w, r, fsmpb.CommandType_COMMAND_TYPE_ROLLBACK_SUBMISSION, &fsmpb.RollbackSubmission{
		SubmissionId: sub.ID, ActorProviderId: principalOf(r).providerID, Reason: reason})
}

type revocationsRequest struct {
	Keys   []keyRefIn `json:"keys"`
	Reason *string    `json:"reason"`
}

// maxRevocationKeys bounds one revocation request.
const maxRevocationKeys = 1000

// handleRevocations is POST /v1/revocations: revoke single keys (admin, or
// the provider whose submissions hold them). All or nothing.
func (s *Server) handleRevocations(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, revokeBodyLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req revocationsRequest
	if err := decodeStrict(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.Keys) == 0 || len(req.Keys) > maxRevocationKeys {
		s.writeError(w, r, badRequest("keys must hold 1..%d keys", maxRevocationKeys))
		return
	}
	if req.Reason != nil && len(*req.Reason) > maxReasonLen {
		s.writeError(w, r, badRequest("reason is longer than %d bytes", maxReasonLen))
		return
	}
	cmd := &fsmpb.RevokeKeys{ActorProviderId: principalOf(r).providerID}
	if req.Reason != nil {
		cmd.Reason = *req.Reason
	}
	for i, k := range req.Keys {
		ref, err := k.toRef(i)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		cmd.Keys = append(cmd.Keys, &fsmpb.KeyRef{Data: append([]byte(nil), ref.Data[:]...), RollingStart: ref.RollingStart})
	}
	if !s.leaderOrForward(w, r, body) {
		return
	}
	s.proposeRevoke(w, r, fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, cmd)
}

// proposeRevoke commits a rollback-type command and answers its result.
func (s *Server) proposeRevoke(w http.ResponseWriter, r *http.Request, t fsmpb.CommandType, cmd proto.Message) {
	res, err := s.store.Propose(r.Context(), t, cmd)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rr, ok := res.Value.(fsm.RevokeResult)
	if !ok {
		s.writeError(w, r, errInternalResult)
		return
	}
	writeJSON(w, http.StatusOK, revokeResponse{Submission: rr.SubmissionID, Revoked: rr.Revoked, Seq: rr.Seq})
}

// validID accepts the ids this server makes: a short prefix and base64url
// or hex characters. Dots, slashes and percent signs never pass.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		ok := c == '_' || c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}
