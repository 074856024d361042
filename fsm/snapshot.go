package fsm

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/proto"
)

// SnapshotMagic starts every snapshot stream (and so every backup file).
const SnapshotMagic = "TEKSNAP\n"

// SnapshotFormat is the newest snapshot format version this code writes.
// It reads this one and every earlier one: 1 wrote one record per public
// key, 2 packs them into PublicKeyBlock records, 3 adds the feature level
// and the records of level-2 features. A state below Level2 is written in
// format 2, which the previous release reads (features.go).
const SnapshotFormat = 3

// snapshotFormatLevel1 is the format written below Level2.
const snapshotFormatLevel1 = 2

// levelInSnapshot is the feature_level written: nothing (0) below Level2,
// so that a format-2 stream is the one the previous release wrote.
func levelInSnapshot(l uint32) uint32 {
	if l < Level2 {
		return 0
	}
	return l
}

// snapshotFormatFor returns the format a state at feature level l writes.
func snapshotFormatFor(l uint32) uint32 {
	if l < Level2 {
		return snapshotFormatLevel1
	}
	return SnapshotFormat
}

// maxRecordBytes bounds one snapshot record when reading.
const maxRecordBytes = 64 << 20

// keysPerBlock is the number of public-set entries per PublicKeyBlock.
const keysPerBlock = 8192

// Frozen is a point-in-time view of the state that can be written while
// Apply goes on. The columns are shared copy-on-write (see column.go); the
// small maps and slices are copied.
type Frozen struct {
	meta         *fsmpb.SnapshotMeta
	providers    []Provider // sorted by id, with quota bookkeeping
	providerIDs  []string   // by provider number
	auths        colView[authRec]
	subs         colView[subRec]
	subFirst     uint32
	reasons      map[uint32]string
	dropped      map[uint32][]tek.Key
	moreReleases map[uint32][]uint64
	entries      colView[entry]
	seqRuns      colView[seqRun]
	subRuns      colView[subRun]
	revokedAt    map[uint32]uint64
	keepSince    uint64
	pendingKeys  []pending
	revocations  []revocation
	checkpoints  []*Checkpoint
}

// Freeze takes a consistent view for a snapshot. It costs O(chunks) plus a
// copy of the small maps; it takes the write lock only because freezing
// the columns starts a new copy-on-write epoch.
func (s *State) Freeze() *Frozen {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &Frozen{
		meta: &fsmpb.SnapshotMeta{
			FormatVersion: snapshotFormatFor(s.featureLevel), AppliedIndex: s.index, NowUnixMs: s.nowMs,
			RetentionMs: s.retentionMs(), LastSealSeq: s.lastSealSeq, LastPruneMs: s.lastPruneMs,
			NextOrdinal: s.nextOrdinal, NextCheckpoint: s.nextCkpt,
			FeatureLevel: levelInSnapshot(s.featureLevel),
		},
		auths: s.auths.freeze(), subs: s.subs.freeze(), subFirst: s.subFirst,
		reasons: maps.Clone(s.reasons), dropped: maps.Clone(s.dropped), moreReleases: maps.Clone(s.moreReleases),
		entries: s.entries.freeze(), seqRuns: s.seqRuns.freeze(), subRuns: s.subRuns.freeze(), revokedAt: maps.Clone(s.revokedAt),
		keepSince:   s.keepSince(),
		pendingKeys: append([]pending(nil), s.pendingKeys...),
		revocations: append([]revocation(nil), s.revocations...),
		checkpoints: append([]*Checkpoint(nil), s.checkpoints...),
	}
	for _, p := range s.providerList {
		f.providers = append(f.providers, *p)
		f.providerIDs = append(f.providerIDs, p.ID)
	}
	sort.Slice(f.providers, func(i, j int) bool { return f.providers[i].ID < f.providers[j].ID })
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
	sw := &snapWriter{w: cw, opts: protodelim.MarshalOptions{MarshalOptions: proto.MarshalOptions{Deterministic: true}}}
	sw.put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Meta{Meta: f.meta}})
	f.writeProviders(sw)
	f.writeAuths(sw)
	f.writeSubs(sw)
	f.writeEntries(sw)
	f.writeRest(sw)
	sw.put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_End{End: &fsmpb.SnapshotEnd{Records: sw.records}}})
	err := sw.err
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

// snapWriter writes records until the first error.
type snapWriter struct {
	w       io.Writer
	opts    protodelim.MarshalOptions
	records uint64
	err     error
}

// putEncoded writes one record already encoded with its length prefix.
func (sw *snapWriter) putEncoded(b []byte) {
	if sw.err != nil {
		return
	}
	sw.records++
	_, sw.err = sw.w.Write(b)
}

func (sw *snapWriter) put(r *fsmpb.SnapshotRecord) {
	if sw.err != nil {
		return
	}
	sw.records++
	_, sw.err = sw.opts.MarshalTo(sw.w, r)
}

func (f *Frozen) writeProviders(sw *snapWriter) {
	for _, p := range f.providers {
		sw.put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Provider{Provider: &fsmpb.ProviderRecord{
			Id: p.ID, Name: p.Name, TokenHash: p.TokenHash[:], QuotaPerDay: p.QuotaPerDay, Suspended: p.Suspended,
			CreatedUnixMs: p.Created.UnixMilli(), QuotaDay: p.quotaDay, QuotaUsed: p.quotaUsed,
		}}})
	}
}

// writeAuths writes the live authorizations ordered by code hash. The
// column's own order depends on how the state was built (issue order, or
// the order of the snapshot it was restored from), so it is not used.
func (f *Frozen) writeAuths(sw *snapWriter) {
	// Sorted by the first 8 bytes of the hash, loaded once, then by the
	// whole hash on a tie: no column reads inside the sort.
	type authKey struct {
		prefix uint64
		ref    uint32
	}
	order := make([]authKey, 0, f.auths.len())
	for i := 0; i < f.auths.len(); i++ {
		if a := f.auths.get(i); a.flags&authLive != 0 {
			order = append(order, authKey{prefix: binary.BigEndian.Uint64(a.codeHash[:8]), ref: uint32(i)})
		}
	}
	slices.SortFunc(order, func(x, y authKey) int {
		if c := cmp.Compare(x.prefix, y.prefix); c != 0 {
			return c
		}
		hx, hy := f.auths.get(int(x.ref)).codeHash, f.auths.get(int(y.ref)).codeHash
		return bytes.Compare(hx[:], hy[:])
	})
	var buf []byte
	for _, o := range order {
		if sw.err != nil {
			return
		}
		a := f.auths.get(int(o.ref))
		var sub *shortID
		if a.sub != 0 {
			r := f.subs.get(int(a.sub - 1))
			sub = &r.id
		}
		buf = appendAuthSnapshotRecord(buf[:0], &a, f.providerIDs[a.provider], sub)
		sw.putEncoded(buf)
	}
}

// writeSubs writes the live submissions in ordinal order.
func (f *Frozen) writeSubs(sw *snapWriter) {
	for ord := max(f.subFirst, 1); int(ord) <= f.subs.len() && sw.err == nil; ord++ {
		if !f.subs.chunkLive(int(ord - 1)) {
			continue
		}
		r := f.subs.get(int(ord - 1))
		if r.state == subGone {
			continue
		}
		a := f.auths.get(int(r.auth))
		rec := &fsmpb.SubmissionRecord{
			Id: r.id.String(), ProviderId: f.providerIDs[r.provider], AuthorizationId: a.id.String(), Seq: r.seq,
			TimeUnixMs: r.timeMs, RolledBack: r.state == subRolledBack, Reason: f.reasons[ord],
			RollbackSeq: r.rollbackSeq, Revoked: uint32(r.revoked), KeySetHash: r.keySetHash[:],
			RevisionTokenHash: r.revHash[:], Inserted: uint32(r.inserted), Keys: KeysToPB(f.dropped[ord]),
			Ordinal: ord, AuthHash: a.codeHash[:],
		}
		if r.releaseSeq != 0 {
			rec.ExtraSeqs = append([]uint64{r.releaseSeq}, f.moreReleases[ord]...)
		}
		sw.put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Submission{Submission: rec}})
	}
}

// writeEntries writes the public set in blocks, leaving out expired
// entries no listed checkpoint needs.
func (f *Frozen) writeEntries(sw *snapWriter) {
	buf := make([]byte, 0, keysPerBlock*packedEntryLen)
	count := uint32(0)
	flush := func() {
		if count > 0 {
			sw.put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_PublicKeyBlock{PublicKeyBlock: &fsmpb.PublicKeyBlock{Count: count, Entries: buf}}})
			buf, count = buf[:0], 0
		}
	}
	run, sr := 0, 0
	for pos := 0; pos < f.entries.len() && sw.err == nil; pos++ {
		for run+1 < f.seqRuns.len() && int(f.seqRuns.get(run+1).start) <= pos {
			run++
		}
		for sr+1 < f.subRuns.len() && int(f.subRuns.get(sr+1).start) <= pos {
			sr++
		}
		seq := f.seqRuns.get(run).seq
		e := f.entries.get(pos)
		if e.expired() && seq <= f.keepSince {
			continue
		}
		buf = appendPackedEntry(buf, placed{e: e, seq: seq, sub: f.subRuns.get(sr).sub, revokedSeq: f.revokedAt[uint32(pos)]})
		if count++; count == keysPerBlock {
			flush()
		}
	}
	flush()
}

// writeRest writes the embargo list, the revocations and the checkpoints.
func (f *Frozen) writeRest(sw *snapWriter) {
	for _, p := range f.pendingKeys {
		sw.put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_PendingKey{PendingKey: &fsmpb.PendingKeyRecord{
			Key: KeyToPB(p.key), SubmissionOrdinal: p.sub,
		}}})
	}
	for _, r := range f.revocations {
		sw.put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Revocation{Revocation: &fsmpb.RevocationRecord{
			Key: refToPB(r.ref), Seq: r.seq, AddedSeq: r.addedSeq, WindowEnd: r.windowEnd,
		}}})
	}
	for _, c := range f.checkpoints {
		rec := &fsmpb.CheckpointRecord{N: c.N, Since: c.Since, Until: c.Until, SealedUnixMs: c.SealedAt.UnixMilli(),
			Padding: KeysToPB(c.Padding), KeyCount: uint32(c.KeyCount), RevokedCount: uint32(c.RevokedCount)}
		sw.put(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Checkpoint{Checkpoint: rec}})
	}
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
