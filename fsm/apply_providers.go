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
	s.addProvider(p)
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
		_, known := s.authByCodeLocked(h)
		_, twice := inCommand[h]
		if _, short := makeShortID(a.Id); known || twice || a.Id == "" || !short {
			return nil, fmt.Errorf("%w: authorization %d duplicate, without id or with an id over %d bytes", ErrBadCommand, i, shortIDMax)
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
		id, _ := makeShortID(a.Id)
		rec := authRec{codeHash: hashes[i], id: id, issuedMs: s.nowMs, expiresMs: c.ExpiresUnixMs,
			provider: p.num, rtype: uint8(rt), flags: authLive}
		if c.HasOnset {
			rec.flags |= authOnset
			rec.onsetDay = c.OnsetDay
		}
		s.addAuth(rec)
		res.IDs = append(res.IDs, a.Id)
	}
	return res, nil
}

// addProvider stores a new provider under the next provider number.
func (s *State) addProvider(p *Provider) {
	p.num = uint32(len(s.providerList))
	s.providerList = append(s.providerList, p)
	s.providers[p.ID] = p
	s.byTokenHash[p.TokenHash] = p.ID
}

// addAuth appends an authorization and indexes it by its code hash.
func (s *State) addAuth(a authRec) {
	s.authByCode.insert(hashHash(&a.codeHash), uint32(s.auths.len()))
	s.auths.push(a)
	s.authLive++
}
