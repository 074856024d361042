package fsm

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/proto"
)

// SnapshotMagic starts every snapshot stream (and so every backup file).
const SnapshotMagic = "TEKSNAP\n"

// SnapshotFormat is the snapshot format version this code writes and reads.
const SnapshotFormat = 1

// maxRecordBytes bounds one snapshot record when reading.
const maxRecordBytes = 64 << 20

// Frozen is a point-in-time copy of the state that can be written while
// Apply goes on.
type Frozen struct {
	meta        *fsmpb.SnapshotMeta
	providers   []*Provider
	quota       map[string][2]uint32
	auths       []*Authorization
	subs        []*Submission
	entries     []entry
	pendingKeys []pending
	revocations []revocation
	checkpoints []*Checkpoint
}

// Freeze copies what a snapshot needs under the read lock. Records that are
// immutable once written (submission keys, checkpoints) are shared.
func (s *State) Freeze() *Frozen {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f := &Frozen{
		meta: &fsmpb.SnapshotMeta{
			FormatVersion: SnapshotFormat, AppliedIndex: s.index, NowUnixMs: s.nowMs,
			RetentionMs: s.retentionMs(), LastSealSeq: s.lastSealSeq, LastPruneMs: s.lastPruneMs,
			NextOrdinal: s.nextOrdinal, NextCheckpoint: s.nextCkpt,
		},
		quota:       map[string][2]uint32{},
		entries:     make([]entry, 0, len(s.entries)-s.expiredCount),
		pendingKeys: append([]pending(nil), s.pendingKeys...),
		revocations: append([]revocation(nil), s.revocations...),
		checkpoints: append([]*Checkpoint(nil), s.checkpoints...),
	}
	for _, p := range s.providers {
		cp := *p
		f.providers = append(f.providers, &cp)
		f.quota[p.ID] = [2]uint32{uint32(p.quotaDay), p.quotaUsed}
	}
	sort.Slice(f.providers, func(i, j int) bool { return f.providers[i].ID < f.providers[j].ID })
	for _, a := range s.auths {
		cp := *a
		f.auths = append(f.auths, &cp)
	}
	sort.Slice(f.auths, func(i, j int) bool { return bytes.Compare(f.auths[i].CodeHash[:], f.auths[j].CodeHash[:]) < 0 })
	for _, sub := range s.submissions {
		cp := *sub
		f.subs = append(f.subs, &cp)
	}
	sort.Slice(f.subs, func(i, j int) bool { return f.subs[i].ordinal < f.subs[j].ordinal })
	keep := s.keepSince()
	for _, e := range s.entries {
		if !e.expired || e.seq > keep {
			f.entries = append(f.entries, e)
		}
	}
	return f
}

// AppliedIndex returns the index the frozen state reflects.
func (f *Frozen) AppliedIndex() uint64 { return f.meta.AppliedIndex }

// WriteTo writes the versioned snapshot stream. The bytes depend only on the
// logical state, so equal states give equal streams.
func (f *Frozen) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	sum := sha256.New()
	cw := &countWriter{w: io.MultiWriter(bw, sum)}
	if _, err := io.WriteString(cw, SnapshotMagic); err != nil {
		return cw.n, fmt.Errorf("write snapshot header: %w", err)
	}
	opts := protodelim.MarshalOptions{MarshalOptions: proto.MarshalOptions{Deterministic: true}}
	var records uint64
	put := func(r *fsmpb.SnapshotRecord) error {
		records++
		_, err := opts.MarshalTo(cw, r)
		return err
	}
	err := put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Meta{Meta: f.meta}})
	for _, p := range f.providers {
		if err != nil {
			break
		}
		q := f.quota[p.ID]
		err = put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Provider{Provider: &fsmpb.ProviderRecord{
			Id: p.ID, Name: p.Name, TokenHash: p.TokenHash[:], QuotaPerDay: p.QuotaPerDay, Suspended: p.Suspended,
			CreatedUnixMs: p.Created.UnixMilli(), QuotaDay: int32(q[0]), QuotaUsed: q[1],
		}}})
	}
	for _, a := range f.auths {
		if err != nil {
			break
		}
		err = put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Authorization{Authorization: &fsmpb.AuthorizationRecord{
			Id: a.ID, CodeHash: a.CodeHash[:], ProviderId: a.ProviderID, ReportType: uint32(a.ReportType),
			HasOnset: a.HasOnset, OnsetDay: a.OnsetDay, IssuedUnixMs: a.Issued.UnixMilli(),
			ExpiresUnixMs: a.Expires.UnixMilli(), SubmissionId: a.SubmissionID,
		}}})
	}
	for _, sub := range f.subs {
		if err != nil {
			break
		}
		err = put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Submission{Submission: &fsmpb.SubmissionRecord{
			Id: sub.ID, ProviderId: sub.ProviderID, AuthorizationId: sub.AuthorizationID, Seq: sub.Seq,
			TimeUnixMs: sub.Time.UnixMilli(), RolledBack: sub.State == SubmissionRolledBack, Reason: sub.Reason,
			RollbackSeq: sub.RollbackSeq, Revoked: uint32(sub.Revoked), KeySetHash: sub.KeySetHash[:],
			RevisionTokenHash: sub.RevisionTokenHash[:], Inserted: uint32(sub.Inserted), Keys: KeysToPB(sub.dropped), ExtraSeqs: sub.extraSeqs,
			Ordinal: sub.ordinal, AuthHash: sub.authHash[:],
		}}})
	}
	for _, e := range f.entries {
		if err != nil {
			break
		}
		err = put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_PublicKey{PublicKey: &fsmpb.PublicKeyRecord{
			Key: KeyToPB(e.key), Seq: e.seq, SubmissionOrdinal: e.sub, RevokedSeq: e.revokedSeq, Expired: e.expired,
		}}})
	}
	for _, p := range f.pendingKeys {
		if err != nil {
			break
		}
		err = put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_PendingKey{PendingKey: &fsmpb.PendingKeyRecord{
			Key: KeyToPB(p.key), SubmissionOrdinal: p.sub,
		}}})
	}
	for _, r := range f.revocations {
		if err != nil {
			break
		}
		err = put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Revocation{Revocation: &fsmpb.RevocationRecord{
			Key: refToPB(r.ref), Seq: r.seq, AddedSeq: r.addedSeq, WindowEnd: r.windowEnd,
		}}})
	}
	for _, c := range f.checkpoints {
		if err != nil {
			break
		}
		rec := &fsmpb.CheckpointRecord{N: c.N, Since: c.Since, Until: c.Until, SealedUnixMs: c.SealedAt.UnixMilli(),
			Padding: KeysToPB(c.Padding), KeyCount: uint32(c.KeyCount), RevokedCount: uint32(c.RevokedCount)}
		err = put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Checkpoint{Checkpoint: rec}})
	}
	if err == nil {
		err = put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_End{End: &fsmpb.SnapshotEnd{Records: records}}})
	}
	if err == nil {
		var n int
		n, err = bw.Write(sum.Sum(nil)) // the checksum is not part of what it sums
		cw.n += int64(n)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return cw.n, fmt.Errorf("write snapshot: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Digest returns the hex SHA-256 of the state's snapshot stream: equal
// digests mean equal logical states.
func (s *State) Digest() string {
	h := sha256.New()
	if _, err := s.Freeze().WriteTo(h); err != nil {
		panic(fmt.Sprintf("fsm: digest: %v", err)) // a hash never fails to write
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ErrSnapshotFormat reports a snapshot stream this code cannot read.
var ErrSnapshotFormat = errors.New("bad snapshot")
