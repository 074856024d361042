package fsm

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
)

// fuzzBase is a small state with a provider, a code, public, revoked and
// embargoed keys, so that fuzzed commands meet every kind of record.
func fuzzBase(t testing.TB) *harness {
	h := newHarness(t)
	h.provider("p1", 0)
	h.issue(issueReq{provider: "p1", codes: []string{"fz"}})
	pub := h.mustPublish(h.code("p1"), append(h.pastKeys(2), h.todayKey()))
	sub, _ := h.s.Submission(pub.SubmissionID)
	h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refsOf(sub.Keys[0])}))
	h.seal()
	return h
}

func FuzzApply(f *testing.F) {
	g := newGen(42, true)
	for i := 0; i < 20; i++ {
		b, _ := g.next()
		f.Add(b)
	}
	f.Add([]byte{})
	tick, _ := Encode(fsmpb.CommandType_COMMAND_TYPE_TICK, &fsmpb.Tick{}, time.UnixMilli(1<<62))
	f.Add(tick)
	f.Fuzz(func(t *testing.T, data []byte) {
		h := fuzzBase(t)
		before := h.s.Digest()
		res, err := h.s.Apply(h.idx+1, data)
		if err != nil {
			var fe *FatalError
			if !errors.As(err, &fe) || fe.Index != h.idx+1 {
				t.Fatalf("Apply error %v is not a *FatalError for the index", err)
			}
			if h.s.Digest() != before {
				t.Fatalf("fatal entry changed the state")
			}
			return
		}
		if res.Seq != h.idx+1 {
			t.Fatalf("Seq = %d", res.Seq)
		}
		h.idx++
		// Whatever was applied, the state still works and snapshots.
		h.now = h.s.Now().Add(time.Hour)
		h.tick()
		h.s.Delta(0, 0)
		h.s.Delta(1, 1)
		if restored(t, h.s).Digest() != h.s.Digest() {
			t.Fatalf("snapshot round trip changed the digest")
		}
	})
}

func FuzzRestore(f *testing.F) {
	f.Add(snapshotBytes(f, fuzzBase(f).s))
	f.Add(snapshotBytes(f, New(Config{})))
	f.Add([]byte(SnapshotMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New(Config{})
		before := s.Digest()
		if err := s.Restore(bytes.NewReader(data)); err != nil {
			if !errors.Is(err, ErrSnapshotFormat) {
				t.Fatalf("Restore error %v is not ErrSnapshotFormat", err)
			}
			if s.Digest() != before {
				t.Fatalf("failed restore changed the state")
			}
			return
		}
		// An accepted snapshot yields a usable state.
		s.Digest()
		s.Delta(0, 0)
		s.Unsealed()
		s.NextEvent()
		b, _ := Encode(fsmpb.CommandType_COMMAND_TYPE_TICK, &fsmpb.Tick{}, s.Now().Add(time.Hour))
		if _, err := s.Apply(s.Index()+1, b); err != nil {
			t.Fatalf("Apply after restore: %v", err)
		}
	})
}
