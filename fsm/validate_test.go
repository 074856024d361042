package fsm

import (
	"errors"
	"testing"
	"time"

	"github.com/tekstore/tekstore/tek"
)

func TestValidateKeys(t *testing.T) {
	now := t0
	cur := tek.IntervalOf(now)
	d := dayStart(now)
	const day = tek.IntervalsPerDay
	var n byte
	k := func(start uint32, period uint8) tek.Key {
		n++
		kk := tek.Key{RollingStart: start, RollingPeriod: period}
		kk.Data[0], kk.Data[15] = n, 0xAA
		return kk
	}
	// triples returns 3 keys per full day for the given number of past days.
	triples := func(days, total int) []tek.Key {
		var out []tek.Key
		for i := 1; i <= days && len(out) < total; i++ {
			for j := 0; j < 3 && len(out) < total; j++ {
				out = append(out, k(d-uint32(i)*day, 144))
			}
		}
		return out
	}
	oldestEnd := cur - 15*day // now - (retention + 1 day), in intervals
	with := func(f func(*tek.Key)) []tek.Key {
		kk := k(d-day, 144)
		f(&kk)
		return []tek.Key{kk}
	}
	dup := k(d-day, 144)
	tests := []struct {
		name    string
		keys    []tek.Key
		wantIdx int // -2: accepted
	}{
		{"no keys", nil, -1},
		{"one key", []tek.Key{k(d-day, 144)}, -2},
		{"30 keys", triples(10, 30), -2},
		{"31 keys", triples(11, 31), -1},
		{"period 0", with(func(k *tek.Key) { k.RollingPeriod = 0 }), 0},
		{"period 1", with(func(k *tek.Key) { k.RollingPeriod = 1 }), -2},
		{"period 144", with(func(k *tek.Key) { k.RollingPeriod = 144 }), -2},
		{"period 145", with(func(k *tek.Key) { k.RollingPeriod = 145 }), 0},
		{"risk 0", with(func(k *tek.Key) { k.TransmissionRisk = 0 }), -2},
		{"risk 8", with(func(k *tek.Key) { k.TransmissionRisk = 8 }), -2},
		{"risk 9", with(func(k *tek.Key) { k.TransmissionRisk = 9 }), 0},
		{"onset -14", with(func(k *tek.Key) { k.HasOnset, k.DaysSinceOnset = true, -14 }), -2},
		{"onset 14", with(func(k *tek.Key) { k.HasOnset, k.DaysSinceOnset = true, 14 }), -2},
		{"onset -15", with(func(k *tek.Key) { k.HasOnset, k.DaysSinceOnset = true, -15 }), 0},
		{"onset 15", with(func(k *tek.Key) { k.HasOnset, k.DaysSinceOnset = true, 15 }), 0},
		{"onset absent ignores value", with(func(k *tek.Key) { k.HasOnset, k.DaysSinceOnset = false, 100 }), -2},
		{"window ends exactly retention+1d ago", []tek.Key{k(oldestEnd-day, 144)}, -2},
		{"window ends one interval earlier", []tek.Key{k(oldestEnd-day-1, 144)}, 0},
		{"short window ends exactly at boundary", []tek.Key{k(oldestEnd-1, 1)}, -2},
		{"short window one interval too old", []tek.Key{k(oldestEnd-2, 1)}, 0},
		{"start is the current interval", []tek.Key{k(cur, 1)}, -2},
		{"start is today, window open", []tek.Key{k(d, 144)}, -2},
		{"start one interval in the future", []tek.Key{k(cur+1, 1)}, 0},
		{"second key in the future", []tek.Key{k(d-day, 144), k(cur+1, 1)}, 1},
		{"start far in the future", []tek.Key{k(^uint32(0)-10, 144)}, 0},
		{"duplicate key", []tek.Key{dup, k(d-2*day, 144), dup}, 2},
		{"same bytes other start", func() []tek.Key {
			a, b := k(d-day, 144), k(d-2*day, 144)
			b.Data = a.Data
			return []tek.Key{a, b}
		}(), 1},
		{"3 keys same start", []tek.Key{k(d-day, 144), k(d-day, 144), k(d-day, 144)}, -2},
		{"4 keys same start", []tek.Key{k(d-day, 144), k(d-day, 144), k(d-day, 144), k(d-day, 144)}, 3},
		{"same start different periods", []tek.Key{k(d-day, 144), k(d-day, 10)}, -2},
		{"adjacent full days", []tek.Key{k(d-2*day, 144), k(d-day, 144)}, -2},
		{"adjacent partial windows", []tek.Key{k(d-day, 72), k(d-day+72, 72)}, -2},
		{"adjacent listed in reverse", []tek.Key{k(d-day+72, 72), k(d-day, 72)}, -2},
		{"gap between windows", []tek.Key{k(d-day, 10), k(d-day+50, 10)}, -2},
		{"overlap by one interval", []tek.Key{k(d-day, 73), k(d-day+72, 72)}, 1},
		{"overlap listed in reverse", []tek.Key{k(d-day+72, 72), k(d-day, 73)}, 0},
		{"window inside another", []tek.Key{k(d-day, 144), k(d-day+50, 1)}, 1},
		{"overlap with longer key of same start group", []tek.Key{k(d-day, 10), k(d-day, 144), k(d-day+50, 1)}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateKeys(tc.keys, now, DefaultRetention)
			if tc.wantIdx == -2 {
				if err != nil {
					t.Fatalf("ValidateKeys = %v, want accepted", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("ValidateKeys = %v, want ErrInvalidKey", err)
			}
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("ValidateKeys = %T, want *KeyError", err)
			}
			if ke.Index != tc.wantIdx {
				t.Fatalf("KeyError.Index = %d (%s), want %d", ke.Index, ke.Rule, tc.wantIdx)
			}
			if ke.Rule == "" || ke.Error() == "" {
				t.Fatalf("KeyError without a rule")
			}
		})
	}
}

func TestValidateKeysRetentionIsAParameter(t *testing.T) {
	cur := tek.IntervalOf(t0)
	// With 1 day retention the limit is 2 days back.
	edge := tek.Key{RollingStart: cur - 2*tek.IntervalsPerDay - 1, RollingPeriod: 1}
	if err := ValidateKeys([]tek.Key{edge}, t0, 24*time.Hour); err != nil {
		t.Fatalf("edge key refused: %v", err)
	}
	edge.RollingStart--
	if err := ValidateKeys([]tek.Key{edge}, t0, 24*time.Hour); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("key past the edge: %v, want ErrInvalidKey", err)
	}
}

func TestKeyErrorMessage(t *testing.T) {
	if got, want := (&KeyError{Index: 3, Rule: "x"}).Error(), "key 3: x"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if got, want := (&KeyError{Index: -1, Rule: "x"}).Error(), "x"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

func TestPublishRejectsInvalidKeysWithoutUsingTheCode(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	c := h.code("p1")
	bad := h.pastKeys(2)
	bad[1].RollingPeriod = 0
	r := h.publish(c, bad)
	wantErr(t, r.Err, ErrInvalidKey)
	if pub, emb := h.s.PublicCount(); pub != 0 || emb != 0 {
		t.Fatalf("PublicCount = %d, %d after a refused upload", pub, emb)
	}
	if _, err := h.s.Submission("s-" + c); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Submission after refusal: %v", err)
	}
	// A wrong-length key is a bad command, not a rule violation.
	it := item(c, h.pastKeys(1))
	it.Keys[0].Data = it.Keys[0].Data[:15]
	out, _ := h.publishItems(it)
	wantErr(t, out[0].Err, ErrBadCommand)
	// The code is still unused.
	if r := h.publish(c, h.pastKeys(3)); r.Err != nil || r.Inserted != 3 {
		t.Fatalf("publish after refusal = %+v", r)
	}
}
