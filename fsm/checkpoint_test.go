package fsm

import (
	"errors"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

func (h *harness) seal(padding ...tek.Key) SealResult {
	h.t.Helper()
	return h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_SEAL_CHECKPOINT, &fsmpb.SealCheckpoint{Padding: KeysToPB(padding)})).Value.(SealResult)
}

func TestCheckpoints(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	if r := h.seal(); r.Sealed || h.s.Unsealed() {
		t.Fatalf("seal of an empty state = %+v", r)
	}
	a := h.pastKeys(3)
	subA := h.mustPublish(h.code("p1"), a)
	today := h.todayKey()
	h.mustPublish(h.code("p1"), []tek.Key{today})
	if !h.s.Unsealed() {
		t.Fatalf("Unsealed false after a publish")
	}
	pad := h.pastKeys(2)
	r1 := h.seal(pad...)
	if !r1.Sealed || r1.N != 1 {
		t.Fatalf("first seal = %+v", r1)
	}
	c1, err := h.content(1)
	if err != nil {
		t.Fatal(err)
	}
	if c1.Since != 0 || c1.Until != h.idx || !c1.SealedAt.Equal(h.now) || len(c1.Keys) != 3 || len(c1.Revoked) != 0 ||
		len(c1.Padding) != 2 || c1.Padding[0] != pad[0] || hasKey(c1.Keys, today) {
		t.Fatalf("checkpoint 1 = %+v", c1)
	}
	if h.s.Unsealed() {
		t.Fatalf("Unsealed true right after a seal")
	}
	if r := h.seal(); r.Sealed {
		t.Fatalf("seal with nothing changed = %+v", r)
	}

	// Between two seals: b is published and rolled back (never sealed), one
	// key of a is revoked, the embargoed key is released, c is published.
	h.advance(15 * time.Minute)
	b := h.pastKeys(2)
	subB := h.mustPublish(h.code("p1"), b)
	h.mustOK(h.rollback(subB.SubmissionID, "p1"))
	h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refsOf(a[1])}))
	h.now = tek.IntervalTime(today.WindowEnd())
	c := h.pastKeys(1)
	h.mustPublish(h.code("p1"), c)
	r2 := h.seal()
	c2, _ := h.content(r2.N)
	if !r2.Sealed || r2.N != 2 || c2.Since != c1.Until || c2.Until != h.idx {
		t.Fatalf("second seal = %+v, %+v", r2, c2)
	}
	if len(c2.Keys) != 2 || !hasKey(c2.Keys, today) || !hasKey(c2.Keys, c[0]) || hasKey(c2.Keys, b[0]) || hasKey(c2.Keys, b[1]) {
		t.Fatalf("checkpoint 2 keys = %v", c2.Keys)
	}
	if len(c2.Revoked) != 1 || !hasRevoked(c2.Revoked, a[1]) {
		t.Fatalf("checkpoint 2 revoked = %v", c2.Revoked)
	}
	// Checkpoint content equals the delta between the two seals.
	d := h.s.Delta(c1.Until, MaxDeltaLimit)
	if len(d.Keys) != len(c2.Keys) || len(d.Revoked) != len(c2.Revoked) {
		t.Fatalf("checkpoint 2 differs from Delta(%d)", c1.Until)
	}

	// A rollback of sealed keys shows in the next checkpoint.
	h.advance(15 * time.Minute)
	h.mustOK(h.rollback(subA.SubmissionID, ""))
	c3, _ := h.content(h.seal().N)
	if len(c3.Keys) != 0 || len(c3.Revoked) != 2 || !hasRevoked(c3.Revoked, a[0]) || !hasRevoked(c3.Revoked, a[2]) {
		t.Fatalf("checkpoint 3 = %+v", c3)
	}
	// Sealed content is immutable: checkpoint 1 still lists a.
	if c1b, _ := h.content(1); len(c1b.Keys) != 3 {
		t.Fatalf("checkpoint 1 changed")
	}
	if got := h.s.Checkpoints(); len(got) != 3 || got[0].N != 1 || got[2].N != 3 {
		t.Fatalf("Checkpoints = %d", len(got))
	}
	if _, err := h.s.Checkpoint(99); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Checkpoint(99) = %v", err)
	}

	// Bad padding is refused and seals nothing.
	h.mustPublish(h.code("p1"), h.pastKeys(1))
	bad := &fsmpb.SealCheckpoint{Padding: []*fsmpb.Key{{Data: []byte{1}}}}
	wantErr(t, h.apply(fsmpb.CommandType_COMMAND_TYPE_SEAL_CHECKPOINT, bad).Err, ErrBadCommand)
	if !h.s.Unsealed() {
		t.Fatalf("refused seal sealed")
	}

	// Pruned once older than the retention window.
	last := h.s.Checkpoints()[2].SealedAt
	h.now = last.Add(DefaultRetention)
	h.tick()
	if got := len(h.s.Checkpoints()); got == 0 {
		t.Fatalf("checkpoint pruned at exactly the retention age")
	}
	h.now = last.Add(DefaultRetention + pruneEvery)
	h.tick()
	if got := h.s.Checkpoints(); len(got) != 0 {
		t.Fatalf("%d checkpoints left after retention", len(got))
	}
	if _, err := h.s.Checkpoint(1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Checkpoint(1) after retention = %v", err)
	}
	// Numbering goes on.
	h.mustPublish(h.code("p1"), h.pastKeys(1))
	if r := h.seal(); r.N != 4 {
		t.Fatalf("seal after pruning = %+v, want N=4", r)
	}
}

// TestSealRefusesBadPadding checks that padding an export file could not
// carry makes the seal fail instead of sealing an unexportable checkpoint.
func TestSealRefusesBadPadding(t *testing.T) {
	for name, mutate := range map[string]func(*tek.Key){
		"period 0":   func(k *tek.Key) { k.RollingPeriod = 0 },
		"risk 9":     func(k *tek.Key) { k.TransmissionRisk = 9 },
		"revoked":    func(k *tek.Key) { k.ReportType = tek.ReportRevoked },
		"onset 15":   func(k *tek.Key) { k.HasOnset, k.DaysSinceOnset = true, 15 },
		"period 145": func(k *tek.Key) { k.RollingPeriod = 145 },
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.provider("p1", 0)
			h.mustPublish(h.code("p1"), h.pastKeys(2))
			pad := h.pastKeys(1)
			mutate(&pad[0])
			res := h.apply(fsmpb.CommandType_COMMAND_TYPE_SEAL_CHECKPOINT, &fsmpb.SealCheckpoint{Padding: KeysToPB(pad)})
			if !errors.Is(res.Err, ErrBadCommand) {
				t.Fatalf("seal with %s: err = %v, want ErrBadCommand", name, res.Err)
			}
			if len(h.s.Checkpoints()) != 0 || h.s.LatestCheckpoint() != 0 {
				t.Fatalf("a checkpoint was sealed")
			}
		})
	}
}

// content returns checkpoint n with its derived keys and revocations.
func (h *harness) content(n uint32) (*Checkpoint, error) {
	ck, err := h.s.Checkpoint(n)
	if err != nil {
		return nil, err
	}
	return h.s.CheckpointContent(ck), nil
}
