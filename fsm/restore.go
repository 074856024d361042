package fsm

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
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
	var entries []entry
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
		if err := s.loadRecord(rec, &entries); err != nil {
			return fmt.Errorf("%w: record %d: %v", ErrSnapshotFormat, n, err)
		}
	}
	ords := make([]uint32, 0, len(s.byOrdinal))
	for ord := range s.byOrdinal {
		ords = append(ords, ord)
	}
	slices.Sort(ords)
	for _, ord := range ords {
		if p, ok := s.providers[s.byOrdinal[ord].ProviderID]; ok {
			p.subs = append(p.subs, ord)
		}
	}
	s.rebuildIndexes(entries)
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

func (s *State) loadRecord(rec *fsmpb.SnapshotRecord, entries *[]entry) error {
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
		s.nextOrdinal, s.nextCkpt = m.NextOrdinal, m.NextCheckpoint
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
		*entries = append(*entries, entry{key: k, sub: r.PublicKey.SubmissionOrdinal, seq: r.PublicKey.Seq, revokedSeq: r.PublicKey.RevokedSeq, expired: r.PublicKey.Expired})
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

func (s *State) loadProvider(r *fsmpb.ProviderRecord) error {
	th, err := hashFromBytes(r.TokenHash)
	if err != nil {
		return err
	}
	s.providers[r.Id] = &Provider{ID: r.Id, Name: r.Name, TokenHash: th, QuotaPerDay: r.QuotaPerDay,
		Suspended: r.Suspended, Created: msTime(r.CreatedUnixMs), quotaDay: r.QuotaDay, quotaUsed: r.QuotaUsed}
	s.byTokenHash[th] = r.Id
	return nil
}

func (s *State) loadAuthorization(r *fsmpb.AuthorizationRecord) error {
	h, err := hashFromBytes(r.CodeHash)
	if err != nil {
		return err
	}
	s.auths[h] = &Authorization{ID: r.Id, CodeHash: h, ProviderID: r.ProviderId, ReportType: tek.ReportType(r.ReportType),
		HasOnset: r.HasOnset, OnsetDay: r.OnsetDay, Issued: msTime(r.IssuedUnixMs), Expires: msTime(r.ExpiresUnixMs),
		SubmissionID: r.SubmissionId}
	return nil
}

func (s *State) loadSubmission(r *fsmpb.SubmissionRecord) error {
	ks, err := hashFromBytes(r.KeySetHash)
	if err != nil {
		return err
	}
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
	sub := &Submission{ID: r.Id, ProviderID: r.ProviderId, AuthorizationID: r.AuthorizationId, Seq: r.Seq,
		Time: msTime(r.TimeUnixMs), State: SubmissionActive, Reason: r.Reason, RollbackSeq: r.RollbackSeq,
		Revoked: int(r.Revoked), Inserted: int(r.Inserted), KeySetHash: ks, RevisionTokenHash: rh, dropped: keys, extraSeqs: r.ExtraSeqs,
		ordinal: r.Ordinal, authHash: ah}
	if r.RolledBack {
		sub.State = SubmissionRolledBack
	}
	s.submissions[sub.ID] = sub
	s.byOrdinal[sub.ordinal] = sub
	s.byRevision[rh] = sub
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
