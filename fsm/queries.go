package fsm

import (
	"fmt"
	"sort"
	"time"
)

// ProviderByToken returns the provider whose token hashes to h.
func (s *State) ProviderByToken(h Hash) (Provider, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byTokenHash[h]
	if !ok {
		return Provider{}, ErrNotFound
	}
	return s.providers[id].public(), nil
}

// Provider returns one provider.
func (s *State) Provider(id string) (Provider, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.providers[id]
	if !ok {
		return Provider{}, fmt.Errorf("provider %s: %w", id, ErrNotFound)
	}
	return p.public(), nil
}

// Providers returns every provider sorted by id.
func (s *State) Providers() []Provider {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Provider, 0, len(s.providers))
	for _, p := range s.providers {
		out = append(out, p.public())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// public returns a copy without the unexported bookkeeping.
func (p *Provider) public() Provider {
	return Provider{ID: p.ID, Name: p.Name, TokenHash: p.TokenHash, QuotaPerDay: p.QuotaPerDay, Suspended: p.Suspended, Created: p.Created}
}

// Submission returns one submission with its keys.
func (s *State) Submission(id string) (Submission, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ord, ok := s.subByIDLocked(id)
	if !ok {
		return Submission{}, fmt.Errorf("submission %s: %w", id, ErrNotFound)
	}
	return s.submissionLocked(ord), nil
}

// SubmissionsOf returns a provider's submissions made at or after since, in
// seq order. An empty providerID lists every provider's submissions.
func (s *State) SubmissionsOf(providerID string, since time.Time) []Submission {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Submission
	add := func(ord uint32) {
		if r := s.liveSub(ord); r != nil && !msTime(r.timeMs).Before(since) {
			out = append(out, s.submissionLocked(ord))
		}
	}
	if providerID == "" {
		for ord := s.subFirst; int(ord) <= s.subs.len(); ord++ {
			add(ord)
		}
		return out
	}
	if p, ok := s.providers[providerID]; ok {
		for _, ord := range p.subs {
			add(ord)
		}
	}
	return out
}

// SubmissionByRevision returns the submission a revision token hash names.
func (s *State) SubmissionByRevision(h Hash) (Submission, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ord, ok := s.subByRevLocked(h)
	if !ok {
		return Submission{}, ErrNotFound
	}
	return s.submissionLocked(ord), nil
}
