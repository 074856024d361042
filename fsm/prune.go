package fsm

// authCompactMin is the number of dead authorization slots below which the
// authorization column is not compacted.
const authCompactMin = 1024

// prune drops authorizations, submissions, revocations and checkpoints that
// retention no longer needs.
func (s *State) prune() {
	nowInterval := s.nowInterval()
	for i := 0; i < s.auths.len(); i++ {
		if a := s.auths.ref(i); a.flags&authLive != 0 && a.sub == 0 && s.nowMs > a.expiresMs {
			s.killAuth(uint32(i))
		}
	}
	s.pruneSubmissions()
	if dead := s.auths.len() - s.authLive; dead >= authCompactMin && dead > s.authLive {
		s.compactAuths()
	}
	keptCk := s.checkpoints[:0]
	for _, c := range s.checkpoints {
		if s.nowMs-c.SealedAt.UnixMilli() <= s.retentionMs() {
			keptCk = append(keptCk, c)
		}
	}
	s.checkpoints = keptCk
	keep := s.keepSince()
	keptRev := s.revocations[:0]
	for _, r := range s.revocations {
		if s.expiryInterval(r.windowEnd) > nowInterval || r.seq > keep {
			keptRev = append(keptRev, r)
		}
	}
	s.revocations = keptRev
}

// pruneSubmissions drops the submissions older than retention plus
// submissionKeepDays, with their authorizations. Submission times grow with
// their ordinals, so the old ones are a prefix of the column.
func (s *State) pruneSubmissions() {
	keepMs := s.retentionMs() + submissionKeepDays*msPerDay
	for ; int(s.subFirst) <= s.subs.len(); s.subFirst++ {
		ord := s.subFirst
		r := s.subAt(ord)
		if r == nil || r.state == subGone {
			continue
		}
		if s.nowMs-r.timeMs <= keepMs {
			break
		}
		id, rev, auth := r.id, r.revHash, r.auth
		s.subByID.remove(hashShortID(&id), func(x uint32) bool { return x == ord-1 })
		s.subByRev.remove(hashHash(&rev), func(x uint32) bool { return x == ord-1 })
		s.killAuth(auth)
		delete(s.reasons, ord)
		delete(s.dropped, ord)
		delete(s.moreReleases, ord)
		s.subs.mut(int(ord - 1)).state = subGone
	}
	// Release the chunks wholly below the first live ordinal.
	for k := 0; (k+1)<<chunkShift <= int(s.subFirst-1); k++ {
		if !s.subs.chunkDropped(k) {
			s.subs.dropChunk(k)
		}
	}
	for _, p := range s.providerList {
		i := 0
		for i < len(p.subs) && p.subs[i] < s.subFirst {
			i++
		}
		if i > 0 {
			p.subs = append(p.subs[:0:0], p.subs[i:]...)
		}
	}
}

// killAuth removes authorization i from the index and marks its slot dead.
func (s *State) killAuth(i uint32) {
	a := s.auths.ref(int(i))
	if a.flags&authLive == 0 {
		return
	}
	code := a.codeHash // a is not used after the column changes
	s.authByCode.remove(hashHash(&code), func(r uint32) bool { return r == i })
	s.auths.mut(int(i)).flags = 0
	s.authLive--
}

// compactAuths drops dead authorization slots, keeping issue order, and
// renumbers the references to the live ones.
func (s *State) compactAuths() {
	old := s.auths
	remap := make([]uint32, old.len())
	s.auths = column[authRec]{}
	for i := 0; i < old.len(); i++ {
		if a := old.ref(i); a.flags&authLive != 0 {
			remap[i] = uint32(s.auths.len())
			s.auths.push(*a)
		}
	}
	s.authByCode = newHashIndex(s.authByCode.hashOf, s.auths.len())
	for i := 0; i < s.auths.len(); i++ {
		s.authByCode.insert(hashHash(&s.auths.ref(i).codeHash), uint32(i))
	}
	for ord := s.subFirst; int(ord) <= s.subs.len(); ord++ {
		if r := s.liveSub(ord); r != nil {
			auth := r.auth // read before mut may copy the chunk
			s.subs.mut(int(ord - 1)).auth = remap[auth]
		}
	}
}
