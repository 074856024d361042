package fsm

import (
	"fmt"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

const msPerDay = int64(24 * time.Hour / time.Millisecond)

func (s *State) applyCreateProvider(c *fsmpb.CreateProvider) (any, error) {
	th, err := hashFromBytes(c.TokenHash)
	if err != nil {
		return nil, err
	}
	if c.Id == "" || c.Name == "" {
		return nil, fmt.Errorf("%w: provider id and name are required", ErrBadCommand)
	}
	if _, ok := s.providers[c.Id]; ok {
		return nil, fmt.Errorf("provider %s: %w", c.Id, ErrExists)
	}
	if _, ok := s.byTokenHash[th]; ok {
		return nil, fmt.Errorf("provider token: %w", ErrExists)
	}
	p := &Provider{ID: c.Id, Name: c.Name, TokenHash: th, QuotaPerDay: c.QuotaPerDay, Created: msTime(s.nowMs)}
	s.providers[p.ID] = p
	s.byTokenHash[th] = p.ID
	return p.ID, nil
}

func (s *State) applySuspend(c *fsmpb.SetProviderSuspended) (any, error) {
	p, ok := s.providers[c.Id]
	if !ok {
		return nil, fmt.Errorf("provider %s: %w", c.Id, ErrNotFound)
	}
	p.Suspended = c.Suspended
	return p.ID, nil
}

func (s *State) applyIssue(c *fsmpb.IssueAuthorizations) (any, error) {
	p, ok := s.providers[c.ProviderId]
	if !ok {
		return nil, fmt.Errorf("provider %s: %w", c.ProviderId, ErrNotFound)
	}
	if p.Suspended {
		return nil, fmt.Errorf("provider %s: %w", p.ID, ErrProviderSuspend)
	}
	rt := tek.ReportType(c.ReportType)
	if rt < tek.ReportConfirmed || rt > tek.ReportRecursive {
		return nil, fmt.Errorf("%w: report type %d", ErrBadCommand, c.ReportType)
	}
	if len(c.Authorizations) == 0 {
		return nil, fmt.Errorf("%w: no authorizations", ErrBadCommand)
	}
	if c.ExpiresUnixMs <= s.nowMs {
		return nil, fmt.Errorf("%w: authorizations already expired", ErrBadCommand)
	}
	hashes := make([]Hash, len(c.Authorizations))
	inCommand := make(map[Hash]struct{}, len(c.Authorizations))
	for i, a := range c.Authorizations {
		h, err := hashFromBytes(a.CodeHash)
		if err != nil {
			return nil, err
		}
		_, known := s.auths[h]
		_, twice := inCommand[h]
		if known || twice || a.Id == "" {
			return nil, fmt.Errorf("%w: authorization %d duplicate or without id", ErrBadCommand, i)
		}
		inCommand[h] = struct{}{}
		hashes[i] = h
	}
	// The quota counter restarts each UTC day; a refusal leaves it as it was.
	day := int32(s.nowMs / msPerDay)
	used := p.quotaUsed
	if p.quotaDay != day {
		used = 0
	}
	n := uint64(len(c.Authorizations))
	if p.QuotaPerDay > 0 && uint64(used)+n > uint64(p.QuotaPerDay) {
		return nil, fmt.Errorf("provider %s: %d of %d codes used today: %w", p.ID, used, p.QuotaPerDay, ErrQuotaExceeded)
	}
	p.quotaDay, p.quotaUsed = day, used+uint32(n)
	res := AuthorizationsResult{Expires: msTime(c.ExpiresUnixMs)}
	for i, a := range c.Authorizations {
		s.auths[hashes[i]] = &Authorization{
			ID: a.Id, CodeHash: hashes[i], ProviderID: p.ID, ReportType: rt,
			HasOnset: c.HasOnset, OnsetDay: c.OnsetDay,
			Issued: msTime(s.nowMs), Expires: msTime(c.ExpiresUnixMs),
		}
		res.IDs = append(res.IDs, a.Id)
	}
	return res, nil
}
