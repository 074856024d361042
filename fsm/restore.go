package fsm

import (
	"bufio"
	"errors"
	"fmt"
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
	magic := make([]byte, len(SnapshotMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != SnapshotMagic {
		return fmt.Errorf("%w: missing header", ErrSnapshotFormat)
	}
	opts := protodelim.UnmarshalOptions{MaxSize: maxRecordBytes}
	var entries []entry
	sawMeta := false
	for n := 0; ; n++ {
		rec := &fsmpb.SnapshotRecord{}
		err := opts.UnmarshalFrom(br, rec)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: record %d: %v", ErrSnapshotFormat, n, err)
		}
		if !sawMeta {
			if rec.GetMeta() == nil {
				return fmt.Errorf("%w: first record is not the meta record", ErrSnapshotFormat)
			}
			sawMeta = true
		}
		if err := s.loadRecord(rec, &entries); err != nil {
			return fmt.Errorf("%w: record %d: %v", ErrSnapshotFormat, n, err)
		}
	}
	if !sawMeta {
		return fmt.Errorf("%w: empty snapshot", ErrSnapshotFormat)
	}
	for ord := uint32(1); ord < s.nextOrdinal; ord++ {
		if sub, ok := s.byOrdinal[ord]; ok {
			if p, ok := s.providers[sub.ProviderID]; ok {
				p.subs = append(p.subs, ord)
			}
		}
	}
	s.rebuildIndexes(entries)
	return nil
}

func (s *State) loadRecord(rec *fsmpb.SnapshotRecord, entries *[]entry) error {
	switch r := rec.Record.(type) {
	case *fsmpb.SnapshotRecord_Meta:
		m := r.Meta
		if m.FormatVersion == 0 || m.FormatVersion > SnapshotFormat {
			return fmt.Errorf("format version %d not supported", m.FormatVersion)
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
		*entries = append(*entries, entry{key: k, sub: r.PublicKey.SubmissionOrdinal, seq: r.PublicKey.Seq, revokedSeq: r.PublicKey.RevokedSeq})
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
	default:
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
		Revoked: int(r.Revoked), Inserted: int(r.Inserted), KeySetHash: ks, RevisionTokenHash: rh, Keys: keys,
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
	keys, err := keysFromPB(r.Keys)
	if err != nil {
		return err
	}
	pad, err := keysFromPB(r.Padding)
	if err != nil {
		return err
	}
	c := &Checkpoint{N: r.N, Since: r.Since, Until: r.Until, SealedAt: msTime(r.SealedUnixMs), Keys: keys, Padding: pad}
	for _, kr := range r.Revoked {
		ref, err := refFromPB(kr)
		if err != nil {
			return err
		}
		c.Revoked = append(c.Revoked, ref)
	}
	s.checkpoints = append(s.checkpoints, c)
	return nil
}
