package fsm

import (
	"fmt"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

// reasonAppRevoked is the reason recorded when an app de-registers itself.
const reasonAppRevoked = "de-registered by the app"

func (s *State) applyRollback(index uint64, c *fsmpb.RollbackSubmission) (any, error) {
	ord, ok := s.subByIDLocked(c.SubmissionId)
	if !ok {
		return nil, fmt.Errorf("submission %s: %w", c.SubmissionId, ErrNotFound)
	}
	if err := s.checkActor(c.ActorProviderId, s.providerList[s.liveSub(ord).provider].ID); err != nil {
		return nil, err
	}
	return s.rollback(index, ord, c.Reason), nil
}

func (s *State) applyRevokeByToken(index uint64, c *fsmpb.RevokeByToken) (any, error) {
	h, err := hashFromBytes(c.RevisionTokenHash)
	if err != nil {
		return nil, err
	}
	ord, ok := s.subByRevLocked(h)
	if !ok {
		return nil, fmt.Errorf("revision token: %w", ErrNotFound)
	}
	return s.rollback(index, ord, reasonAppRevoked), nil
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
		r := s.liveSub(ord)
		if r == nil || r.state != subActive {
			continue
		}
		if t := r.timeMs; t < c.SinceUnixMs || (c.UntilUnixMs != 0 && t >= c.UntilUnixMs) {
			continue
		}
		rr := s.rollback(index, ord, "provider rollback")
		res.Submissions++
		res.Revoked += rr.Revoked
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

// rollback revokes every key submission ord still holds. Idempotent.
func (s *State) rollback(index uint64, ord uint32, reason string) RevokeResult {
	r := s.liveSub(ord)
	id := r.id.String()
	if r.state == subRolledBack {
		return RevokeResult{SubmissionID: id, Revoked: int(r.revoked), Seq: r.rollbackSeq}
	}
	n := 0
	for _, k := range s.subKeysLocked(ord) {
		if s.revokeKey(index, tek.RevokedKey{Data: k.Data, RollingStart: k.RollingStart}, ord) {
			n++
		}
	}
	m := s.subs.mut(int(ord - 1))
	m.state, m.rollbackSeq, m.revoked = subRolledBack, index, uint8(n)
	s.reasons[ord] = reason
	return RevokeResult{SubmissionID: id, Revoked: n, Seq: index}
}

// revokeKey removes one key of submission ord from the public set (recording
// a revocation) or from the embargo list. It reports whether anything changed.
func (s *State) revokeKey(index uint64, ref tek.RevokedKey, ord uint32) bool {
	if pos, ok := s.entryPos(&ref.Data); ok {
		e := s.entries.ref(int(pos))
		if s.subOf(int(pos)) != ord || e.revoked() || e.expired() || e.rollingStart != ref.RollingStart {
			return false
		}
		s.revokeEntry(int(pos), index)
		return true
	}
	for i, p := range s.pendingKeys {
		if p.key.Data == ref.Data && p.sub == ord && p.key.RollingStart == ref.RollingStart {
			s.pendingKeys = append(s.pendingKeys[:i], s.pendingKeys[i+1:]...)
			delete(s.pendingSet, ref.Data)
			if s.liveSub(ord) != nil {
				s.dropped[ord] = append(s.dropped[ord], p.key)
			}
			return true
		}
	}
	return false
}

// ownerOf finds the submission holding a key that is public or embargoed.
func (s *State) ownerOf(ref tek.RevokedKey) (uint32, bool) {
	if pos, ok := s.entryPos(&ref.Data); ok {
		e := s.entries.ref(int(pos))
		if e.rollingStart == ref.RollingStart && !e.expired() {
			return s.subOf(int(pos)), true
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
		r := s.liveSub(ord)
		if !ok || r == nil {
			return nil, fmt.Errorf("key %d: %w", i, ErrNotFound)
		}
		if err := s.checkActor(c.ActorProviderId, s.providerList[r.provider].ID); err != nil {
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
