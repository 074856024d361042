package fsm

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/tekstore/tekstore/tek"
)

// KeySetHash is a digest of an upload's keys in canonical order, ignoring the
// fields the server derives (report type, and onset when the app left it out).
// Two uploads with the same code are the same upload iff their hashes match.
// The canonical order is by key data; keys with equal data (an invalid
// upload, but hashed before validation) are ordered by the hashed fields,
// so that the digest never depends on the order they came in.
func KeySetHash(keys []tek.Key) Hash {
	var stack [MaxKeysPerUpload * keySetRecordLen]byte
	buf := stack[:0]
	if len(keys) > MaxKeysPerUpload {
		buf = make([]byte, 0, len(keys)*keySetRecordLen)
	}
	for _, k := range keys {
		buf = appendKeySetRecord(buf, k)
	}
	sortKeySetRecords(buf)
	return sha256.Sum256(buf)
}

// keySetRecordLen is the length of one key's record in KeySetHash: data,
// rolling start (big-endian), period, risk, has-onset, days since onset.
const keySetRecordLen = tek.KeyLen + 8

func appendKeySetRecord(b []byte, k tek.Key) []byte {
	b = append(b, k.Data[:]...)
	b = binary.BigEndian.AppendUint32(b, k.RollingStart)
	onset := byte(0)
	if k.HasOnset {
		onset = 1
	}
	return append(b, k.RollingPeriod, k.TransmissionRisk, onset, byte(k.DaysSinceOnset))
}

// sortKeySetRecords sorts the fixed-size records of buf by their bytes
// (the data first, so this is the order of tek.Less). Insertion sort: an
// upload holds at most MaxKeysPerUpload keys, and it allocates nothing.
func sortKeySetRecords(buf []byte) {
	const n = keySetRecordLen
	var tmp [n]byte
	for i := n; i < len(buf); i += n {
		j := i
		for j > 0 && bytes.Compare(buf[j-n:j], buf[i:i+n]) > 0 {
			j -= n
		}
		if j == i {
			continue
		}
		copy(tmp[:], buf[i:i+n])
		copy(buf[j+n:i+n], buf[j:i])
		copy(buf[j:j+n], tmp[:])
	}
}

func (s *State) applyPublish(index uint64, c *publishBatch) (any, error) {
	if len(c.items) == 0 {
		return nil, fmt.Errorf("%w: empty publish", ErrBadCommand)
	}
	out := make([]PublishItemResult, len(c.items))
	for i := range c.items {
		out[i] = s.publishOne(index, &c.items[i])
	}
	return out, nil
}

// publishOne applies one upload; a refusal affects only this item.
func (s *State) publishOne(index uint64, it *publishInput) PublishItemResult {
	codeHash, err := hashFromBytes(it.codeHash)
	if err != nil {
		return PublishItemResult{Err: err}
	}
	revHash, err := hashFromBytes(it.revHash)
	if err != nil {
		return PublishItemResult{Err: err}
	}
	if it.err != nil {
		return PublishItemResult{Err: it.err}
	}
	keys := it.keys
	setHash := KeySetHash(keys)
	authRef, replay, err := s.checkCodeLocked(codeHash, setHash)
	if err != nil || replay != nil {
		if replay != nil {
			return *replay
		}
		return PublishItemResult{Err: err}
	}
	if err := ValidateKeys(keys, msTime(s.nowMs), s.retention); err != nil {
		return PublishItemResult{Err: err}
	}
	id, ok := makeShortID(it.submissionID)
	if it.submissionID == "" || !ok {
		return PublishItemResult{Err: fmt.Errorf("%w: submission id of 1 to %d bytes required", ErrBadCommand, shortIDMax)}
	}
	if _, dup := s.subByIDLocked(it.submissionID); dup {
		return PublishItemResult{Err: fmt.Errorf("submission %s: %w", it.submissionID, ErrExists)}
	}
	if _, dup := s.subByRevLocked(revHash); dup {
		return PublishItemResult{Err: fmt.Errorf("revision token: %w", ErrExists)}
	}

	auth := *s.auths.ref(int(authRef))
	ord := s.nextOrdinal
	s.nextOrdinal++
	inserted := 0
	nowInterval := s.nowInterval()
	for _, k := range keys {
		h := hashKeyData(&k.Data)
		if _, ok := s.entryPosHashed(&k.Data, h); ok {
			continue // already published (or revoked) through another upload
		}
		if _, ok := s.pendingSet[k.Data]; ok {
			continue
		}
		k = deriveFromAuthorization(k, &auth)
		inserted++
		if k.WindowEnd() > nowInterval {
			s.addPending(pending{key: k, sub: ord})
		} else {
			s.addEntry(k, h, ord, index)
		}
	}
	s.putSub(ord, subRec{
		keySetHash: cutSetHash(setHash), revHash: revHash, id: id, seq: index, timeMs: s.nowMs,
		auth: authRef, provider: auth.provider, inserted: uint8(inserted), state: subActive,
	})
	s.auths.mut(int(authRef)).sub = ord
	p := s.providerList[auth.provider]
	p.subs = append(p.subs, ord)
	return PublishItemResult{SubmissionID: it.submissionID, Inserted: inserted, Seq: index}
}

// putSub stores a new submission record at its ordinal and indexes it.
func (s *State) putSub(ord uint32, r subRec) {
	s.subs.skipTo(int(ord - 1)) // past a pruned prefix read from a snapshot
	s.subs.push(r)
	s.subByID.insert(hashShortID(&r.id), ord-1)
	s.subByRev.insert(hashHash(&r.revHash), ord-1)
}

// deriveFromAuthorization sets the fields the code decides: the report type
// always, and the days since onset when the app left it out.
func deriveFromAuthorization(k tek.Key, a *authRec) tek.Key {
	k.ReportType = tek.ReportType(a.rtype)
	if !k.HasOnset && a.flags&authOnset != 0 {
		// int64: an onset day far from the key's day must clamp, not wrap.
		d := int64(k.RollingStart/tek.IntervalsPerDay) - int64(a.onsetDay)
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

func (s *State) checkCodeLocked(codeHash, keySetHash Hash) (uint32, *PublishItemResult, error) {
	ref, ok := s.authByCodeLocked(codeHash)
	if !ok {
		return 0, nil, ErrCodeInvalid
	}
	a := s.auths.ref(int(ref))
	if a.sub != 0 {
		if r := s.liveSub(a.sub); r != nil && r.keySetHash == cutSetHash(keySetHash) {
			return ref, &PublishItemResult{SubmissionID: r.id.String(), Inserted: int(r.inserted), Seq: r.seq, Replayed: true}, nil
		}
		return 0, nil, ErrCodeUsed
	}
	if p := s.providerList[a.provider]; p.Suspended {
		return 0, nil, ErrProviderSuspend
	}
	if s.nowMs > a.expiresMs {
		return 0, nil, ErrCodeExpired
	}
	return ref, nil, nil
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
