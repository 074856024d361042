package fsm

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/encoding/protodelim"
)

// richState has every kind of record: providers (one suspended, with quota
// used), used and unused codes, active and rolled-back submissions, public,
// revoked and embargoed keys, revocations and checkpoints.
func richState(t *testing.T) *harness {
	h := newHarness(t)
	h.provider("p1", 100)
	h.provider("p2", 0)
	h.issue(issueReq{provider: "p1", codes: []string{"unused"}})
	a := h.mustPublish(h.code("p1"), append(h.pastKeys(3), h.todayKey()))
	h.seal(h.pastKeys(1)...)
	h.advance(10 * time.Minute)
	b := h.mustPublish(h.code("p2"), h.pastKeys(2))
	h.mustOK(h.rollback(b.SubmissionID, ""))
	sub, _ := h.s.Submission(a.SubmissionID)
	h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refsOf(sub.Keys[0])}))
	h.seal()
	h.suspend("p2", true)
	return h
}

func TestSnapshotRoundTrip(t *testing.T) {
	h := richState(t)
	snap := snapshotBytes(t, h.s)
	if !bytes.HasPrefix(snap, []byte(SnapshotMagic)) {
		t.Fatalf("snapshot lacks the magic")
	}
	if f := h.s.Freeze(); f.AppliedIndex() != h.idx {
		t.Fatalf("AppliedIndex = %d, want %d", f.AppliedIndex(), h.idx)
	}
	r := New(Config{})
	if err := r.Restore(bytes.NewReader(snap)); err != nil {
		t.Fatal(err)
	}
	if r.Digest() != h.s.Digest() || !bytes.Equal(snapshotBytes(t, r), snap) {
		t.Fatalf("restored state differs")
	}
	if r.Index() != h.s.Index() || !r.Now().Equal(h.s.Now()) {
		t.Fatalf("restored index/time = %d/%v", r.Index(), r.Now())
	}
	// Restoring over a non-empty state replaces it.
	other := richState(t)
	other.provider("zzz", 0)
	if err := other.s.Restore(bytes.NewReader(snap)); err != nil {
		t.Fatal(err)
	}
	if other.s.Digest() != h.s.Digest() {
		t.Fatalf("restore over a state kept old content")
	}
	// The restored state behaves alike: same results for the same commands.
	h.mirrors = []*State{r, other.s}
	h.suspend("p2", false)
	h.mustPublish(h.code("p2"), h.pastKeys(1))
	h.mustOK(h.rollback("s-code-1", "p1"))
	h.now = tek.IntervalTime(dayStart(h.now) + tek.IntervalsPerDay)
	h.tick()
	h.seal()
	if r.Digest() != h.s.Digest() {
		t.Fatalf("digests diverged after restore")
	}
}

func TestRestoreRefusesBadSnapshots(t *testing.T) {
	h := richState(t)
	snap := snapshotBytes(t, h.s)
	rec := func(r *fsmpb.SnapshotRecord) []byte {
		var b bytes.Buffer
		if _, err := protodelim.MarshalTo(&b, r); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	meta := func(m *fsmpb.SnapshotMeta) []byte {
		return append([]byte(SnapshotMagic), rec(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Meta{Meta: m}})...)
	}
	withEnd := func(b []byte, records uint64) []byte {
		b = append(b, rec(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_End{End: &fsmpb.SnapshotEnd{Records: records}}})...)
		return b
	}
	sealed := func(b []byte) []byte {
		s := sha256Sum(b)
		return append(b, s[:]...)
	}
	good := &fsmpb.SnapshotMeta{FormatVersion: 1, RetentionMs: DefaultRetention.Milliseconds()}
	flip := func(i int) []byte {
		b := bytes.Clone(snap)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic only", []byte(SnapshotMagic)},
		{"wrong magic", append([]byte("TEKSNAP2"), snap[len(SnapshotMagic):]...)},
		{"truncated in a record", snap[:len(snap)/2]},
		{"truncated before the checksum", snap[:len(snap)-32]},
		{"truncated in the checksum", snap[:len(snap)-1]},
		{"trailing data", append(bytes.Clone(snap), 0)},
		{"flipped byte in the middle", flip(len(snap) / 2)},
		{"flipped byte in the checksum", flip(len(snap) - 1)},
		{"format version 0", sealed(withEnd(meta(&fsmpb.SnapshotMeta{FormatVersion: 0, RetentionMs: good.RetentionMs}), 1))},
		{"format version from the future", sealed(withEnd(meta(&fsmpb.SnapshotMeta{FormatVersion: SnapshotFormat + 1, RetentionMs: good.RetentionMs}), 1))},
		{"other retention", sealed(withEnd(meta(&fsmpb.SnapshotMeta{FormatVersion: 1, RetentionMs: 1000}), 1))},
		{"leader time out of range", sealed(withEnd(meta(&fsmpb.SnapshotMeta{FormatVersion: 1, RetentionMs: good.RetentionMs, NowUnixMs: -1}), 1))},
		{"wrong record count", sealed(withEnd(meta(good), 5))},
		{"end without meta", sealed(withEnd([]byte(SnapshotMagic), 0))},
		{"no end record", sealed(meta(good))},
		{"first record not meta", sealed(withEnd(append([]byte(SnapshotMagic), rec(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Provider{Provider: &fsmpb.ProviderRecord{Id: "x", TokenHash: make([]byte, 32)}}})...), 1))},
		{"two meta records", sealed(withEnd(append(meta(good), rec(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Meta{Meta: good}})...), 2))},
		{"bad provider token", sealed(withEnd(append(meta(good), rec(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Provider{Provider: &fsmpb.ProviderRecord{Id: "x"}}})...), 2))},
		{"bad key", sealed(withEnd(append(meta(good), rec(&fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_PublicKey{PublicKey: &fsmpb.PublicKeyRecord{Key: &fsmpb.Key{Data: []byte{1}}}}})...), 2))},
		{"unknown record", sealed(withEnd(append(meta(good), rec(&fsmpb.SnapshotRecord{})...), 2))},
		{"format 2 with a feature level", sealed(withEnd(meta(&fsmpb.SnapshotMeta{FormatVersion: 2, RetentionMs: good.RetentionMs, FeatureLevel: Level2}), 1))},
		{"format 3 without a feature level", sealed(withEnd(meta(&fsmpb.SnapshotMeta{FormatVersion: 3, RetentionMs: good.RetentionMs}), 1))},
		{"format 3 with a feature level from the future", sealed(withEnd(meta(&fsmpb.SnapshotMeta{FormatVersion: 3, RetentionMs: good.RetentionMs, FeatureLevel: MaxFeatureLevel + 1}), 1))},
	}
	// Sanity: the hand-made minimal snapshot is accepted.
	if err := New(Config{}).Restore(bytes.NewReader(sealed(withEnd(meta(good), 1)))); err != nil {
		t.Fatalf("minimal snapshot refused: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := richState(t)
			before := target.s.Digest()
			err := target.s.Restore(bytes.NewReader(tc.data))
			if !errors.Is(err, ErrSnapshotFormat) {
				t.Fatalf("Restore = %v, want ErrSnapshotFormat", err)
			}
			if target.s.Digest() != before {
				t.Fatalf("failed restore changed the state")
			}
		})
	}
	// A read error is reported too.
	if err := New(Config{}).Restore(io.MultiReader(bytes.NewReader(snap[:40]), errReader{})); err == nil {
		t.Fatalf("Restore with a failing reader succeeded")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestSnapshotWriteError(t *testing.T) {
	h := richState(t)
	if _, err := h.s.Freeze().WriteTo(&failWriter{after: 10}); err == nil {
		t.Fatalf("WriteTo to a failing writer succeeded")
	}
}

// TestFreezeIsIsolated writes a frozen copy after the state moved on.
func TestFreezeIsIsolated(t *testing.T) {
	h := richState(t)
	want := snapshotBytes(t, h.s)
	f := h.s.Freeze()
	h.suspend("p1", true)
	h.mustOK(h.rollback("s-code-2", ""))
	h.now = h.now.Add(30 * 24 * time.Hour)
	h.tick()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("frozen snapshot changed when the state moved on")
	}
}
