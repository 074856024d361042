package transport

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tekstore/tekstore/codes"
	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/secrets"
	"github.com/tekstore/tekstore/tek"
)

type publishRequest struct {
	Code    *string `json:"code"`
	Keys    []keyIn `json:"keys"`
	Padding *string `json:"padding"`
}

type publishResponse struct {
	Submission    string `json:"submission"`
	Inserted      int    `json:"inserted"`
	Seq           uint64 `json:"seq"`
	RevisionToken string `json:"revisionToken"`
}

// decodedPublish is a publish request that passed every local check.
type decodedPublish struct {
	codeHash fsm.Hash
	setHash  fsm.Hash
	keys     []tek.Key
}

// decodePublish parses and validates an upload without touching state.
func (s *Server) decodePublish(body []byte, now time.Time) (decodedPublish, error) {
	var req publishRequest
	if !decodePublishFast(body, &req) {
		req = publishRequest{}
		if err := decodeStrict(body, &req); err != nil {
			return decodedPublish{}, err
		}
	}
	if req.Code == nil || strings.TrimSpace(*req.Code) == "" {
		return decodedPublish{}, badRequest("field \"code\" is required")
	}
	code, err := codes.Parse(*req.Code)
	if err != nil {
		return decodedPublish{}, err
	}
	if req.Keys == nil {
		return decodedPublish{}, badRequest("field \"keys\" is required")
	}
	keys := make([]tek.Key, len(req.Keys))
	for i, k := range req.Keys {
		if keys[i], err = k.toKey(i); err != nil {
			return decodedPublish{}, err
		}
	}
	if err := fsm.ValidateKeys(keys, now, s.cfg.Retention); err != nil {
		return decodedPublish{}, err
	}
	return decodedPublish{codeHash: secrets.CodeHash(s.cfg.Pepper, code), setHash: fsm.KeySetHash(keys), keys: keys}, nil
}

// handlePublish is POST /v1/publish. Everything that local state can refuse
// (bad body, bad keys, unknown, expired or used code) is refused here,
// before Raft; a retry of an accepted upload is answered from local state.
func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, err := readBody(w, r, publishBodyLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.Header.Get("X-Chaff") == "1" {
		s.answerChaff(w, r)
		return
	}
	client := s.guards.keyOf(s.guards.clientAddr(r))
	if spent, wait := s.guards.failed.spent(client); spent {
		s.writeError(w, r, rateLimited(wait))
		return
	}
	p, err := s.decodePublish(body, time.Now())
	if err != nil {
		s.countFailedCode(client, err)
		s.metrics.publishRejected.WithLabelValues(toAPIError(err).code).Inc()
		s.writeError(w, r, err)
		return
	}
	replay, err := s.state.CheckCode(p.codeHash, p.setHash)
	if errors.Is(err, fsm.ErrCodeInvalid) && s.settle(r) {
		// A code issued moments ago may not have been applied on this
		// follower yet: let it catch up with the leader's last commit
		// (locally, see settle) and look again.
		replay, err = s.state.CheckCode(p.codeHash, p.setHash)
		if errors.Is(err, fsm.ErrCodeInvalid) {
			// Counted here, before a relay, so that a client spraying codes
			// at followers stays within its failed-code budget.
			s.countFailedCode(client, err)
			if s.relayUnknown(w, r, body) {
				return // a follower out of sync: the leader decides
			}
			s.metrics.publishRejected.WithLabelValues(toAPIError(err).code).Inc()
			s.writeError(w, r, err)
			return
		}
	}
	if err != nil {
		s.countFailedCode(client, err)
		s.metrics.publishRejected.WithLabelValues(toAPIError(err).code).Inc()
		s.writeError(w, r, err)
		return
	}
	if replay != nil {
		s.answerPublish(w, *replay, "", "")
		return
	}
	if s.batchesOnFollower(r) {
		if id, _, ok := s.store.Leader(); ok {
			w.Header().Set("X-Tekstore-Leader", id)
		}
	} else if !s.leaderOrForward(w, r, body) {
		return
	}
	subID, err := secrets.NewID(secrets.SubmissionIDPrefix)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	token := secrets.RevisionToken(s.cfg.Pepper, subID)
	rev := secrets.RevisionTokenHash(token)
	item := fsm.AppendPublishItem(nil, p.codeHash, fsm.Hash(rev), subID, p.keys)
	res, err := s.commitPublish(r, item)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.chaff.observe(time.Since(start))
	s.metrics.published.Add(float64(res.Inserted))
	s.answerPublish(w, res, subID, token)
}

// batchPublisher is implemented by stores that coalesce uploads.
type batchPublisher interface {
	PublishBatched(ctx context.Context, item []byte) (fsm.PublishItemResult, error)
}

// commitPublish commits one upload (encoded by fsm.AppendPublishItem),
// through the store's batcher when it has one.
func (s *Server) commitPublish(r *http.Request, item []byte) (fsm.PublishItemResult, error) {
	if b, ok := s.store.(batchPublisher); ok {
		return b.PublishBatched(r.Context(), item)
	}
	res, err := s.store.ProposeEncoded(r.Context(), fsmpb.CommandType_COMMAND_TYPE_PUBLISH, fsm.AppendPublishEntry(nil, item))
	if err != nil {
		return fsm.PublishItemResult{}, err
	}
	if res.Err != nil {
		return fsm.PublishItemResult{}, res.Err
	}
	items, _ := res.Value.([]fsm.PublishItemResult)
	if len(items) != 1 {
		return fsm.PublishItemResult{}, errInternalResult
	}
	return items[0], nil
}

// answerPublish answers with an upload's result. token is the revision
// token of the submission id this request made ("" if none): it is the
// answer's token unless the result is another submission (a replay).
func (s *Server) answerPublish(w http.ResponseWriter, it fsm.PublishItemResult, subID, token string) {
	if token == "" || it.SubmissionID != subID {
		token = secrets.RevisionToken(s.cfg.Pepper, it.SubmissionID)
	}
	writePublishResponse(w, publishResponse{Submission: it.SubmissionID, Inserted: it.Inserted, Seq: it.Seq, RevisionToken: token})
}

var errInternalResult = &apiError{status: 500, code: codeInternal, msg: "internal error"}

type revokeTokenRequest struct {
	RevisionToken *string `json:"revisionToken"`
}

type revokeResponse struct {
	Submission string `json:"submission,omitempty"`
	Revoked    int    `json:"revoked"`
	Seq        uint64 `json:"seq"`
}

// handlePublishRevoke is POST /v1/publish/revoke: an app de-registers its
// own upload with the revision token it was given. Idempotent.
func (s *Server) handlePublishRevoke(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, smallBodyLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req revokeTokenRequest
	if err := decodeStrict(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.RevisionToken == nil || *req.RevisionToken == "" {
		s.writeError(w, r, badRequest("field \"revisionToken\" is required"))
		return
	}
	h := secrets.RevisionTokenHash(*req.RevisionToken)
	sub, err := s.state.SubmissionByRevision(fsm.Hash(h))
	if err != nil && s.relayToLeader(w, r, body) {
		return // maybe not applied here yet: the leader decides (see relayToLeader)
	}
	if err != nil {
		s.writeError(w, r, notFound("unknown revisionToken"))
		return
	}
	if sub.State == fsm.SubmissionRolledBack {
		writeJSON(w, http.StatusOK, revokeResponse{Submission: sub.ID, Revoked: sub.Revoked, Seq: sub.RollbackSeq})
		return
	}
	if !s.leaderOrForward(w, r, body) {
		return
	}
	s.proposeRevoke(w, r, fsmpb.CommandType_COMMAND_TYPE_REVOKE_BY_TOKEN, &fsmpb.RevokeByToken{RevisionTokenHash: h[:]})
}

// countFailedCode spends the client's failed-code budget when the error is
// about the code (unknown, mistyped, expired, used), so guessing codes is
// throttled per address.
func (s *Server) countFailedCode(client clientKey, err error) {
	switch toAPIError(err).code {
	case codeCodeInvalid, codeCodeUsed:
		s.guards.failed.allow(client)
	}
}

// batchesOnFollower reports whether this node hands uploads to its batcher,
// which forwards them to the leader in batches, instead of relaying the
// HTTP request (a ?redirect=true request is always redirected).
func (s *Server) batchesOnFollower(r *http.Request) bool {
	if s.store.IsLeader() || r.URL.Query().Get("redirect") == "true" || s.cfg.InternalToken == "" {
		return false
	}
	_, ok := s.store.(batchPublisher)
	return ok
}
