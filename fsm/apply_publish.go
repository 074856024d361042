package fsm

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

// KeySetHash is a digest of an upload's keys in canonical order, ignoring the
// fields the server derives (report type, and onset when the app left it out).
// Two uploads with the same code are the same upload iff their hashes match.
func KeySetHash(keys []tek.Key) Hash {
	sorted := append([]tek.Key(nil), keys...)
	sort.Slice(sorted, func(i, j int) bool { return tek.Less(sorted[i], sorted[j]) })
	h := sha256.New()
	var buf [tek.KeyLen + 9]byte
	for _, k := range sorted {
		copy(buf[:], k.Data[:])
		binary.BigEndian.PutUint32(buf[16:], k.RollingStart)
		buf[20] = k.RollingPeriod
		buf[21] = k.TransmissionRisk
		buf[22], buf[23] = 0, byte(k.DaysSinceOnset)
		if k.HasOnset {
			buf[22] = 1
		}
		h.Write(buf[:24])
	}
	var out Hash
	copy(out[:], h.Sum(nil))
	return out
}

func (s *State) applyPublish(index uint64, c *fsmpb.Publish) (any, error) {
	if len(c.Items) == 0 {
		return nil, fmt.Errorf("%w: empty publish", ErrBadCommand)
	}
	out := make([]PublishItemResult, len(c.Items))
	for i, it := range c.Items {
		out[i] = s.publishOne(index, it)
	}
	return out, nil
}

// publishOne applies one upload; a refusal affects only this item.
func (s *State) publishOne(index uint64, it *fsmpb.PublishItem) PublishItemResult {
	codeHash, err := hashFromBytes(it.CodeHash)
	if err != nil {
		return PublishItemResult{Err: err}
	}
	revHash, err := hashFromBytes(it.RevisionTokenHash)
	if err != nil {
		return PublishItemResult{Err: err}
	}
	keys, err := keysFromPB(it.Keys)
	if err != nil {
		return PublishItemResult{Err: err}
	}
	setHash := KeySetHash(keys)
	auth, replay, err := s.checkCodeLocked(codeHash, setHash)
	if err != nil || replay != nil {
		if replay != nil {
			return *replay
		}
		return PublishItemResult{Err: err}
	}
	if err := ValidateKeys(keys, msTime(s.nowMs), s.retention); err != nil {
		return PublishItemResult{Err: err}
	}
	if it.SubmissionId == "" {
		return PublishItemResult{Err: fmt.Errorf("%w: submission id required", ErrBadCommand)}
	}
	if _, dup := s.submissions[it.SubmissionId]; dup {
		return PublishItemResult{Err: fmt.Errorf("submission %s: %w", it.SubmissionId, ErrExists)}
	}
	if _, dup := s.byRevision[revHash]; dup {
		return PublishItemResult{Err: fmt.Errorf("revision token: %w", ErrExists)}
	}

	sub := &Submission{
		ID: it.SubmissionId, ProviderID: auth.ProviderID, AuthorizationID: auth.ID,
		Seq: index, Time: msTime(s.nowMs), State: SubmissionActive,
		KeySetHash: setHash, RevisionTokenHash: revHash, ordinal: s.nextOrdinal, authHash: codeHash,
	}
	s.nextOrdinal++
	nowInterval := uint32(s.nowMs / 1000 / tek.IntervalSeconds)
	for _, k := range keys {
		if _, ok := s.position[k.Data]; ok {
			continue // already published (or revoked) through another upload
		}
		if _, ok := s.pendingSet[k.Data]; ok {
			continue
		}
		k = deriveFromAuthorization(k, auth)
		sub.Inserted++
		if k.WindowEnd() > nowInterval {
			s.addPending(pending{key: k, sub: sub.ordinal})
		} else {
			s.addEntry(entry{key: k, sub: sub.ordinal, seq: index})
		}
	}
	auth.SubmissionID = sub.ID
	s.submissions[sub.ID] = sub
	s.byOrdinal[sub.ordinal] = sub
	s.byRevision[revHash] = sub
	p := s.providers[auth.ProviderID]
	p.subs = append(p.subs, sub.ordinal)
	return PublishItemResult{SubmissionID: sub.ID, Inserted: sub.Inserted, Seq: index}
}

// deriveFromAuthorization sets the fields the code decides: the report type
// always, and the days since onset when the app left it out.
func deriveFromAuthorization(k tek.Key, a *Authorization) tek.Key {
	k.ReportType = a.ReportType
	if !k.HasOnset && a.HasOnset {
		// int64: an onset day far from the key's day must clamp, not wrap.
		d := int64(k.RollingStart/tek.IntervalsPerDay) - int64(a.OnsetDay)
		if d < -MaxOnsetDays {
			d = -MaxOnsetDays
		}
		if d > MaxOnsetDays {
			d = MaxOnsetDays
		}
		k.HasOnset, k.DaysSinceOnset = true, int8(d)
	}
	return k
}

// CheckCode tells, from local state, what a publish with this code and key
// set would meet: an error (unknown, expired, suspended provider, used for
// other keys), a replay of an earlier identical upload, or (nil, nil) when
// the upload may go to the leader. It is the cheap rejection before Raft.
func (s *State) CheckCode(codeHash, keySetHash Hash) (*PublishItemResult, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, replay, err := s.checkCodeLocked(codeHash, keySetHash)
	return replay, err
}

func (s *State) checkCodeLocked(codeHash, keySetHash Hash) (*Authorization, *PublishItemResult, error) {
	auth, ok := s.auths[codeHash]
	if !ok {
		return nil, nil, ErrCodeInvalid
	}
	if auth.SubmissionID != "" {
		sub, ok := s.submissions[auth.SubmissionID]
		if ok && sub.KeySetHash == keySetHash {
			return auth, &PublishItemResult{SubmissionID: sub.ID, Inserted: sub.Inserted, Seq: sub.Seq, Replayed: true}, nil
		}
		return nil, nil, ErrCodeUsed
	}
	if p := s.providers[auth.ProviderID]; p == nil || p.Suspended {
		return nil, nil, ErrProviderSuspend
	}
	if s.nowMs > auth.Expires.UnixMilli() {
		return nil, nil, ErrCodeExpired
	}
	return auth, nil, nil
}

func (s *State) addEntry(e entry) {
	s.entries = append(s.entries, e)
	pos := uint32(len(s.entries) - 1)
	s.position[e.key.Data] = pos
	b := s.expiryInterval(e.key.WindowEnd())
	s.expiryBucket[b] = append(s.expiryBucket[b], pos)
	if b < s.expiryCursor {
		s.expiryCursor = b
	}
}

func (s *State) addPending(p pending) {
	i := sort.Search(len(s.pendingKeys), func(i int) bool {
		return s.pendingKeys[i].key.WindowEnd() > p.key.WindowEnd()
	})
	s.pendingKeys = append(s.pendingKeys, pending{})
	copy(s.pendingKeys[i+1:], s.pendingKeys[i:])
	s.pendingKeys[i] = p
	s.pendingSet[p.key.Data] = struct{}{}
}
