package fsm

import (
	"fmt"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

// reasonAppRevoked is the reason recorded when an app de-registers itself.
const reasonAppRevoked = "de-registered by the app"

func (s *State) applyRollback(index uint64, c *fsmpb.RollbackSubmission) (any, error) {
	sub, ok := s.submissions[c.SubmissionId]
	if !ok {
		return nil, fmt.Errorf("submission %s: %w", c.SubmissionId, ErrNotFound)
	}
	if err := s.checkActor(c.ActorProviderId, sub.ProviderID); err != nil {
		return nil, err
	}
	return s.rollback(index, sub, c.Reason), nil
}

func (s *State) applyRevokeByToken(index uint64, c *fsmpb.RevokeByToken) (any, error) {
	h, err := hashFromBytes(c.RevisionTokenHash)
	if err != nil {
		return nil, err
	}
	sub, ok := s.byRevision[h]
	if !ok {
		return nil, fmt.Errorf("revision token: %w", ErrNotFound)
	}
	return s.rollback(index, sub, reasonAppRevoked), nil
}

func (s *State) applyProviderRollback(index uint64, c *fsmpb.RollbackProvider) (any, error) {
	p, ok := s.providers[c.ProviderId]
	if !ok {
		return nil, fmt.Errorf("provider %s: %w", c.ProviderId, ErrNotFound)
	}
	if c.UntilUnixMs != 0 && c.UntilUnixMs <= c.SinceUnixMs {
		return nil, fmt.Errorf("%w: until must be after since", ErrBadCommand)
	}
	res := ProviderRollbackResult{Seq: index}
	for _, ord := range p.subs {
		sub := s.byOrdinal[ord]
		if sub == nil || sub.State != SubmissionActive {
			continue
		}
		if t := sub.Time.UnixMilli(); t < c.SinceUnixMs || (c.UntilUnixMs != 0 && t >= c.UntilUnixMs) {
			continue
		}
		r := s.rollback(index, sub, "provider rollback")
		res.Submissions++
		res.Revoked += r.Revoked
	}
	return res, nil
}

// checkActor allows admins (empty actor) and the owning, unsuspended provider.
func (s *State) checkActor(actor, owner string) error {
	if actor == "" {
		return nil
	}
	p, ok := s.providers[actor]
	if !ok || p.Suspended || actor != owner {
		return fmt.Errorf("provider %s acting on %s's data: %w", actor, owner, ErrForbidden)
	}
	return nil
}

// rollback revokes every key a submission still holds. Idempotent.
func (s *State) rollback(index uint64, sub *Submission, reason string) RevokeResult {
	if sub.State == SubmissionRolledBack {
		return RevokeResult{SubmissionID: sub.ID, Revoked: sub.Revoked, Seq: sub.RollbackSeq}
	}
	n := 0
	for _, k := range s.subKeysLocked(sub) {
		if s.revokeKey(index, tek.RevokedKey{Data: k.Data, RollingStart: k.RollingStart}, sub.ordinal) {
			n++
		}
	}
	sub.State, sub.Reason, sub.RollbackSeq, sub.Revoked = SubmissionRolledBack, reason, index, n
	return RevokeResult{SubmissionID: sub.ID, Revoked: n, Seq: index}
}

// revokeKey removes one key of submission ord from the public set (recording
// a revocation) or from the embargo list. It reports whether anything changed.
func (s *State) revokeKey(index uint64, ref tek.RevokedKey, ord uint32) bool {
	if pos, ok := s.position[ref.Data]; ok {
		e := &s.entries[pos]
		if e.sub != ord || e.revokedSeq != 0 || e.expired || e.key.RollingStart != ref.RollingStart {
			return false
		}
		e.revokedSeq = index
		s.revocations = append(s.revocations, revocation{ref: ref, windowEnd: e.key.WindowEnd(), seq: index, addedSeq: e.seq})
		return true
	}
	for i, p := range s.pendingKeys {
		if p.key.Data == ref.Data && p.sub == ord && p.key.RollingStart == ref.RollingStart {
			s.pendingKeys = append(s.pendingKeys[:i], s.pendingKeys[i+1:]...)
			delete(s.pendingSet, ref.Data)
			if sub := s.byOrdinal[ord]; sub != nil {
				sub.dropped = append(sub.dropped, p.key)
			}
			return true
		}
	}
	return false
}

// ownerOf finds the submission holding a key that is public or embargoed.
func (s *State) ownerOf(ref tek.RevokedKey) (uint32, bool) {
	if pos, ok := s.position[ref.Data]; ok {
		e := s.entries[pos]
		if e.key.RollingStart == ref.RollingStart && !e.expired {
			return e.sub, true
		}
		return 0, false
	}
	if _, ok := s.pendingSet[ref.Data]; ok {
		for _, p := range s.pendingKeys {
			if p.key.Data == ref.Data && p.key.RollingStart == ref.RollingStart {
				return p.sub, true
			}
		}
	}
	return 0, false
}

func (s *State) applyRevokeKeys(index uint64, c *fsmpb.RevokeKeys) (any, error) {
	if len(c.Keys) == 0 {
		return nil, fmt.Errorf("%w: no keys to revoke", ErrBadCommand)
	}
	refs := make([]tek.RevokedKey, len(c.Keys))
	owners := make([]uint32, len(c.Keys))
	for i, kp := range c.Keys {
		ref, err := refFromPB(kp)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		ord, ok := s.ownerOf(ref)
		sub := s.byOrdinal[ord]
		if !ok || sub == nil {
			return nil, fmt.Errorf("key %d: %w", i, ErrNotFound)
		}
		if err := s.checkActor(c.ActorProviderId, sub.ProviderID); err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		refs[i], owners[i] = ref, ord
	}
	res := RevokeResult{Seq: index}
	for i, ref := range refs {
		if s.revokeKey(index, ref, owners[i]) {
			res.Revoked++
		}
	}
	return res, nil
}
