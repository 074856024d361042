package fsm

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/encoding/protodelim"
)

// Restore replaces the state with the snapshot read from r. On error the
// state is left as it was.
func (s *State) Restore(r io.Reader) error {
	fresh := New(Config{Retention: s.retention})
	if err := fresh.load(r); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.swapFrom(fresh)
	return nil
}

func (s *State) load(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	hr := &hashReader{r: br, h: sha256.New()}
	magic := make([]byte, len(SnapshotMagic))
	if _, err := io.ReadFull(hr, magic); err != nil || string(magic) != SnapshotMagic {
		return fmt.Errorf("%w: missing header", ErrSnapshotFormat)
	}
	opts := protodelim.UnmarshalOptions{MaxSize: maxRecordBytes}
	for n := uint64(0); ; n++ {
		rec := &fsmpb.SnapshotRecord{}
		err := opts.UnmarshalFrom(hr, rec)
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: truncated after record %d", ErrSnapshotFormat, n)
		}
		if err != nil {
			return fmt.Errorf("%w: record %d: %v", ErrSnapshotFormat, n, err)
		}
		if n == 0 && rec.GetMeta() == nil {
			return fmt.Errorf("%w: first record is not the meta record", ErrSnapshotFormat)
		}
		if n > 0 && rec.GetMeta() != nil {
			return fmt.Errorf("%w: record %d: second meta record", ErrSnapshotFormat, n)
		}
		if end := rec.GetEnd(); end != nil {
			if n == 0 || end.Records != n {
				return fmt.Errorf("%w: end record counts %d records, read %d", ErrSnapshotFormat, end.Records, n)
			}
			if err := checkTrailer(br, hr.h.Sum(nil)); err != nil {
				return err
			}
			break
		}
		if err := s.loadRecord(rec); err != nil {
			return fmt.Errorf("%w: record %d: %v", ErrSnapshotFormat, n, err)
		}
	}
	if s.subs.len() == 0 {
		s.subFirst = s.nextOrdinal
	}
	if int(s.nextOrdinal) <= s.subs.len() {
		return fmt.Errorf("%w: next ordinal %d not after the last submission", ErrSnapshotFormat, s.nextOrdinal)
	}
	s.indexEntries()
	return nil
}

// checkTrailer reads the checksum that follows the end record and requires
// the stream to stop there.
func checkTrailer(br *bufio.Reader, want []byte) error {
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil {
		return fmt.Errorf("%w: missing checksum", ErrSnapshotFormat)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%w: checksum mismatch", ErrSnapshotFormat)
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after the checksum", ErrSnapshotFormat)
	}
	return nil
}

// hashReader hashes every byte read through it.
type hashReader struct {
	r *bufio.Reader
	h hash.Hash
}

func (x *hashReader) Read(p []byte) (int, error) {
	n, err := x.r.Read(p)
	x.h.Write(p[:n])
	return n, err
}

func (x *hashReader) ReadByte() (byte, error) {
	c, err := x.r.ReadByte()
	if err == nil {
		x.h.Write([]byte{c})
	}
	return c, err
}

func (s *State) loadRecord(rec *fsmpb.SnapshotRecord) error {
	switch r := rec.Record.(type) {
	case *fsmpb.SnapshotRecord_Meta:
		m := r.Meta
		if m.FormatVersion == 0 || m.FormatVersion > SnapshotFormat {
			return fmt.Errorf("format version %d not supported", m.FormatVersion)
		}
		if m.NowUnixMs < 0 || m.NowUnixMs > maxLeaderMs {
			return fmt.Errorf("leader time %d out of range", m.NowUnixMs)
		}
		if m.RetentionMs != s.retentionMs() {
			return fmt.Errorf("snapshot retention %s differs from configured %s", time.Duration(m.RetentionMs)*time.Millisecond, s.retention)
		}
		s.index, s.nowMs, s.lastSealSeq, s.lastPruneMs = m.AppliedIndex, m.NowUnixMs, m.LastSealSeq, m.LastPruneMs
		s.nextOrdinal, s.nextCkpt = max(m.NextOrdinal, 1), m.NextCheckpoint // ordinals start at 1
		switch {
		case m.FormatVersion < 3 && m.FeatureLevel != 0:
			return fmt.Errorf("format %d snapshot with feature level %d", m.FormatVersion, m.FeatureLevel)
		case m.FormatVersion >= 3 && (m.FeatureLevel < Level2 || m.FeatureLevel > MaxFeatureLevel):
			return fmt.Errorf("format %d snapshot with feature level %d (this release reads %d to %d)", m.FormatVersion, m.FeatureLevel, Level2, MaxFeatureLevel)
		}
		s.featureLevel = max(m.FeatureLevel, Level1)
	case *fsmpb.SnapshotRecord_Provider:
		return s.loadProvider(r.Provider)
	case *fsmpb.SnapshotRecord_Authorization:
		return s.loadAuthorization(r.Authorization)
	case *fsmpb.SnapshotRecord_Submission:
		return s.loadSubmission(r.Submission)
	case *fsmpb.SnapshotRecord_PublicKey:
		k, err := keyFromPB(r.PublicKey.Key)
		if err != nil {
			return err
		}
		return s.loadEntry(placed{e: packEntryLoaded(k, r.PublicKey.Expired, r.PublicKey.RevokedSeq),
			seq: r.PublicKey.Seq, sub: r.PublicKey.SubmissionOrdinal, revokedSeq: r.PublicKey.RevokedSeq})
	case *fsmpb.SnapshotRecord_PublicKeyBlock:
		return s.loadEntryBlock(r.PublicKeyBlock)
	case *fsmpb.SnapshotRecord_PendingKey:
		k, err := keyFromPB(r.PendingKey.Key)
		if err != nil {
			return err
		}
		s.pendingKeys = append(s.pendingKeys, pending{key: k, sub: r.PendingKey.SubmissionOrdinal})
		s.pendingSet[k.Data] = struct{}{}
	case *fsmpb.SnapshotRecord_Revocation:
		ref, err := refFromPB(r.Revocation.Key)
		if err != nil {
			return err
		}
		s.revocations = append(s.revocations, revocation{ref: ref, windowEnd: r.Revocation.WindowEnd, seq: r.Revocation.Seq, addedSeq: r.Revocation.AddedSeq})
	case *fsmpb.SnapshotRecord_Checkpoint:
		return s.loadCheckpoint(r.Checkpoint)
	default: // includes a record set by a newer writer
		return fmt.Errorf("unknown record type %T", rec.Record)
	}
	return nil
}

// packEntryLoaded builds an entry from its format-1 snapshot record.
func packEntryLoaded(k tek.Key, expired bool, revokedSeq uint64) entry {
	e := packEntry(k)
	if expired {
		e.flags |= entryExpired
	}
	if revokedSeq != 0 {
		e.flags |= entryRevoked
	}
	return e
}

// loadEntry appends one public-set entry read from a snapshot; entries
// must come in seq order.
func (s *State) loadEntry(p placed) error {
	if n := s.seqRuns.len(); n > 0 && s.seqRuns.ref(n-1).seq > p.seq {
		return fmt.Errorf("public key at seq %d after seq %d", p.seq, s.seqRuns.ref(n-1).seq)
	}
	if p.e.period < 1 || p.e.period > tek.MaxRollingPeriod {
		return fmt.Errorf("public key with rolling period %d", p.e.period)
	}
	s.appendLoaded(p)
	return nil
}

func (s *State) loadEntryBlock(b *fsmpb.PublicKeyBlock) error {
	if b.Count == 0 || uint64(len(b.Entries)) != uint64(b.Count)*packedEntryLen {
		return fmt.Errorf("key block of %d bytes for %d entries", len(b.Entries), b.Count)
	}
	for i := 0; i < int(b.Count); i++ {
		p, err := unpackEntry(b.Entries[i*packedEntryLen : (i+1)*packedEntryLen])
		if err == nil {
			err = s.loadEntry(p)
		}
		if err != nil {
			return fmt.Errorf("block entry %d: %w", i, err)
		}
	}
	return nil
}

func (s *State) loadProvider(r *fsmpb.ProviderRecord) error {
	th, err := hashFromBytes(r.TokenHash)
	if err != nil {
		return err
	}
	if _, dup := s.providers[r.Id]; dup {
		return fmt.Errorf("provider %s twice", r.Id)
	}
	s.addProvider(&Provider{ID: r.Id, Name: r.Name, TokenHash: th, QuotaPerDay: r.QuotaPerDay,
		Suspended: r.Suspended, Created: msTime(r.CreatedUnixMs), quotaDay: r.QuotaDay, quotaUsed: r.QuotaUsed})
	return nil
}

func (s *State) loadAuthorization(r *fsmpb.AuthorizationRecord) error {
	h, err := hashFromBytes(r.CodeHash)
	if err != nil {
		return err
	}
	p, ok := s.providers[r.ProviderId]
	if !ok {
		return fmt.Errorf("authorization of unknown provider %s", r.ProviderId)
	}
	id, ok := makeShortID(r.Id)
	if !ok {
		return fmt.Errorf("authorization id over %d bytes", shortIDMax)
	}
	if _, dup := s.authByCodeLocked(h); dup {
		return fmt.Errorf("authorization code hash twice")
	}
	a := authRec{codeHash: h, id: id, issuedMs: r.IssuedUnixMs, expiresMs: r.ExpiresUnixMs,
		provider: p.num, rtype: uint8(r.ReportType), flags: authLive}
	if r.HasOnset {
		a.flags |= authOnset
		a.onsetDay = r.OnsetDay
	}
	s.addAuth(a)
	return nil
}

func (s *State) loadSubmission(r *fsmpb.SubmissionRecord) error {
	if n := len(r.KeySetHash); n != 16 && n != 32 { // 32: format 1 kept it whole
		return fmt.Errorf("key set hash of %d bytes", n)
	}
	ks := setHash16(r.KeySetHash[:16])
	rh, err := hashFromBytes(r.RevisionTokenHash)
	if err != nil {
		return err
	}
	ah, err := hashFromBytes(r.AuthHash)
	if err != nil {
		return err
	}
	keys, err := keysFromPB(r.Keys)
	if err != nil {
		return err
	}
	id, ok := makeShortID(r.Id)
	switch {
	case !ok || r.Id == "":
		return fmt.Errorf("submission id empty or over %d bytes", shortIDMax)
	case r.Ordinal == 0 || int(r.Ordinal) <= s.subs.len():
		return fmt.Errorf("submission ordinal %d not increasing", r.Ordinal)
	case r.Inserted > 255 || r.Revoked > 255:
		return fmt.Errorf("submission %s counts out of range", r.Id)
	}
	p, ok := s.providers[r.ProviderId]
	if !ok {
		return fmt.Errorf("submission of unknown provider %s", r.ProviderId)
	}
	auth, ok := s.authByCodeLocked(ah)
	if !ok {
		return fmt.Errorf("submission %s without its authorization", r.Id)
	}
	if _, dup := s.subByIDLocked(r.Id); dup {
		return fmt.Errorf("submission %s twice", r.Id)
	}
	if _, dup := s.subByRevLocked(rh); dup {
		return fmt.Errorf("submission %s: revision token twice", r.Id)
	}
	rec := subRec{keySetHash: ks, revHash: rh, id: id, seq: r.Seq, timeMs: r.TimeUnixMs, rollbackSeq: r.RollbackSeq,
		auth: auth, provider: p.num, inserted: uint8(r.Inserted), revoked: uint8(r.Revoked), state: subActive}
	if r.RolledBack {
		rec.state = subRolledBack
		s.reasons[r.Ordinal] = r.Reason
	}
	if len(r.ExtraSeqs) > 0 {
		rec.releaseSeq = r.ExtraSeqs[0]
		if len(r.ExtraSeqs) > 1 {
			s.moreReleases[r.Ordinal] = r.ExtraSeqs[1:]
		}
	}
	if len(keys) > 0 {
		s.dropped[r.Ordinal] = keys
	}
	if s.subs.len() == 0 {
		s.subFirst = r.Ordinal
	}
	s.putSub(r.Ordinal, rec)
	s.auths.mut(int(auth)).sub = r.Ordinal
	p.subs = append(p.subs, r.Ordinal)
	return nil
}

func (s *State) loadCheckpoint(r *fsmpb.CheckpointRecord) error {
	pad, err := keysFromPB(r.Padding)
	if err != nil {
		return err
	}
	c := &Checkpoint{N: r.N, Since: r.Since, Until: r.Until, SealedAt: msTime(r.SealedUnixMs),
		KeyCount: int(r.KeyCount), RevokedCount: int(r.RevokedCount), Padding: pad}
	s.checkpoints = append(s.checkpoints, c)
	return nil
}
