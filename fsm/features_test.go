package fsm

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/encoding/protodelim"
)

func (h *harness) setLevel(l uint32) Result {
	h.t.Helper()
	return h.apply(fsmpb.CommandType_COMMAND_TYPE_SET_FEATURE_LEVEL, &fsmpb.SetFeatureLevel{Level: l})
}

// snapshotMeta reads the meta record of a snapshot stream.
func snapshotMeta(t *testing.T, b []byte) *fsmpb.SnapshotMeta {
	t.Helper()
	rec := &fsmpb.SnapshotRecord{}
	r := bytes.NewReader(b[len(SnapshotMagic):])
	if err := protodelim.UnmarshalFrom(r, rec); err != nil {
		t.Fatalf("read meta: %v", err)
	}
	m := rec.GetMeta()
	if m == nil {
		t.Fatalf("first record is %T, not meta", rec.Record)
	}
	return m
}

func TestFeatureLevelStartsAtLevel1AndWritesFormat2(t *testing.T) {
	h := richState(t)
	if got := h.s.FeatureLevel(); got != Level1 {
		t.Fatalf("FeatureLevel = %d, want %d", got, Level1)
	}
	m := snapshotMeta(t, snapshotBytes(t, h.s))
	if m.FormatVersion != 2 || m.FeatureLevel != 0 {
		t.Fatalf("level-1 snapshot: format %d, level %d; want format 2 without a level (what v0.1.0 reads)", m.FormatVersion, m.FeatureLevel)
	}
	if err := h.s.requireLevel(Level2); !errors.Is(err, ErrFeatureLevel) {
		t.Fatalf("requireLevel(2) at level 1 = %v, want ErrFeatureLevel", err)
	}
}

func TestSetFeatureLevel(t *testing.T) {
	h := richState(t)
	mirror := richState(t)
	h.mirrors = append(h.mirrors, mirror.s)
	h.mustOK(h.setLevel(Level2))
	if got := h.s.FeatureLevel(); got != Level2 {
		t.Fatalf("FeatureLevel = %d, want %d", got, Level2)
	}
	if err := h.s.requireLevel(Level2); err != nil {
		t.Fatalf("requireLevel(2) at level 2 = %v", err)
	}
	// Lower or equal levels change nothing and are not refused (a new
	// leader may propose the same level again).
	for _, l := range []uint32{Level1, Level2} {
		if r := h.setLevel(l); r.Err != nil || h.s.FeatureLevel() != Level2 {
			t.Fatalf("SetFeatureLevel(%d) at level 2: err %v, level %d", l, r.Err, h.s.FeatureLevel())
		}
	}
	if r := h.setLevel(0); !errors.Is(r.Err, ErrBadCommand) {
		t.Fatalf("SetFeatureLevel(0) = %v, want ErrBadCommand", r.Err)
	}
	b := snapshotBytes(t, h.s)
	if m := snapshotMeta(t, b); m.FormatVersion != SnapshotFormat || m.FeatureLevel != Level2 {
		t.Fatalf("level-2 snapshot: format %d, level %d; want %d, %d", m.FormatVersion, m.FeatureLevel, SnapshotFormat, Level2)
	}
	r := restored(t, h.s)
	if r.FeatureLevel() != Level2 || r.Digest() != h.s.Digest() {
		t.Fatalf("restored: level %d, digest equal %v", r.FeatureLevel(), r.Digest() == h.s.Digest())
	}
}

// A level this release does not know stops the node (a FatalError) and
// leaves the state as it was: applying the rest of such a log would
// diverge from the nodes that understand it.
func TestSetFeatureLevelFromTheFutureIsFatal(t *testing.T) {
	h := richState(t)
	before := h.s.Digest()
	data, err := Encode(fsmpb.CommandType_COMMAND_TYPE_SET_FEATURE_LEVEL, &fsmpb.SetFeatureLevel{Level: MaxFeatureLevel + 1}, h.now)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.s.Apply(h.idx+1, data)
	var fe *FatalError
	if !errors.As(err, &fe) {
		t.Fatalf("Apply = %v, want a FatalError", err)
	}
	if h.s.Digest() != before || h.s.FeatureLevel() != Level1 {
		t.Fatal("a refused entry changed the state")
	}
}
