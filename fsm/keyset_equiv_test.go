package fsm

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/tekstore/tekstore/tek"
)

// The allocation-free KeySetHash and ValidateKeys must give exactly what
// the map- and sort-based versions they replaced gave: the set hash is
// stored in submissions (and snapshots), and the verdicts are replicated.
// The reference versions below are those earlier implementations.

func referenceKeySetHash(keys []tek.Key) Hash {
	sorted := append([]tek.Key(nil), keys...)
	sort.SliceStable(sorted, func(i, j int) bool { return tek.Less(sorted[i], sorted[j]) })
	h := sha256.New()
	var buf [tek.KeyLen + 8]byte
	for _, k := range sorted {
		copy(buf[:], k.Data[:])
		binary.BigEndian.PutUint32(buf[16:], k.RollingStart)
		buf[20], buf[21] = k.RollingPeriod, k.TransmissionRisk
		buf[22], buf[23] = 0, byte(k.DaysSinceOnset)
		if k.HasOnset {
			buf[22] = 1
		}
		h.Write(buf[:])
	}
	var out Hash
	copy(out[:], h.Sum(nil))
	return out
}

func referenceValidateKeys(keys []tek.Key, now time.Time, retention time.Duration) error {
	if len(keys) == 0 || len(keys) > MaxKeysPerUpload {
		return &KeyError{Index: -1, Rule: fmt.Sprintf("an upload holds 1 to %d keys, got %d", MaxKeysPerUpload, len(keys))}
	}
	oldest := now.Add(-(retention + 24*time.Hour))
	current := tek.IntervalOf(now)
	seen := map[[tek.KeyLen]byte]int{}
	perStart := map[uint32]int{}
	for i, k := range keys {
		// The per-key field rules did not change; the comparison is about
		// duplicates, per-start counts and overlaps.
		if err := checkKeyFields(i, k, oldest, current); err != nil {
			return err
		}
		if j, dup := seen[k.Data]; dup {
			return &KeyError{Index: i, Rule: fmt.Sprintf("same key as key %d", j)}
		}
		seen[k.Data] = i
		perStart[k.RollingStart]++
		if perStart[k.RollingStart] > MaxKeysSameStart {
			return &KeyError{Index: i, Rule: fmt.Sprintf("more than %d keys with the same rollingStartNumber", MaxKeysSameStart)}
		}
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return keys[order[a]].RollingStart < keys[order[b]].RollingStart })
	var maxEnd, groupEnd uint32
	groupStart := keys[order[0]].RollingStart
	for _, i := range order {
		k := keys[i]
		if k.RollingStart != groupStart {
			maxEnd = max(maxEnd, groupEnd)
			groupStart, groupEnd = k.RollingStart, 0
		}
		if maxEnd > k.RollingStart {
			return &KeyError{Index: i, Rule: "window overlaps another key's window with a different rollingStartNumber"}
		}
		groupEnd = max(groupEnd, k.WindowEnd())
	}
	return nil
}

// randomUpload makes uploads that are often valid and often break one
// rule: few distinct key values (duplicates), few days (same starts,
// overlaps), and fields at and past their limits.
func randomUpload(r *rand.Rand, now time.Time) []tek.Key {
	today := tek.IntervalOf(now) / tek.IntervalsPerDay * tek.IntervalsPerDay
	n := 1 + r.IntN(MaxKeysPerUpload+2)
	if r.IntN(4) == 0 {
		n = 1 + r.IntN(6)
	}
	keys := make([]tek.Key, n)
	for i := range keys {
		k := &keys[i]
		k.Data[0], k.Data[15] = byte(r.IntN(40)), byte(r.IntN(3))
		day := uint32(r.IntN(17))
		k.RollingStart = today - day*tek.IntervalsPerDay
		k.RollingPeriod = tek.MaxRollingPeriod
		switch r.IntN(12) {
		case 0:
			k.RollingStart += uint32(r.IntN(200)) // mid-day starts: overlaps
		case 1:
			k.RollingPeriod = uint8(r.IntN(150))
		case 2:
			k.RollingStart = today + tek.IntervalsPerDay // future
		}
		k.TransmissionRisk = uint8(r.IntN(10))
		k.HasOnset = r.IntN(2) == 0
		k.DaysSinceOnset = int8(r.IntN(33) - 16)
	}
	return keys
}

func TestKeySetHashAndValidateKeysMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const retention = 14 * 24 * time.Hour
	verdicts := map[string]int{}
	for i := 0; i < 20000; i++ {
		keys := randomUpload(r, now)
		got, want := ValidateKeys(keys, now, retention), referenceValidateKeys(keys, now, retention)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("upload %d: ValidateKeys = %v, reference %v", i, got, want)
		}
		var ke *KeyError
		if errors.As(got, &ke) {
			verdicts[ke.Rule[:12]]++
		} else {
			verdicts["valid"]++
		}
		distinct := map[[tek.KeyLen]byte]bool{}
		for _, k := range keys {
			distinct[k.Data] = true
		}
		if len(distinct) == len(keys) && KeySetHash(keys) != referenceKeySetHash(keys) {
			t.Fatalf("upload %d: KeySetHash differs from the reference", i)
		}
		// Any order of the same keys gives the same hash, duplicates too.
		shuffled := append([]tek.Key(nil), keys...)
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if KeySetHash(shuffled) != KeySetHash(keys) {
			t.Fatalf("upload %d: KeySetHash depends on the order of the keys", i)
		}
	}
	// The generator must reach every verdict, or the comparison proves little.
	if len(verdicts) < 7 {
		t.Fatalf("random uploads reached only %v", verdicts)
	}
}

func TestKeySetHashAndValidateKeysDoNotAllocate(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	keys := validUpload(now, 14)
	if err := ValidateKeys(keys, now, 14*24*time.Hour); err != nil {
		t.Fatalf("validUpload is invalid: %v", err)
	}
	if n := testing.AllocsPerRun(100, func() {
		_ = KeySetHash(keys)
		_ = ValidateKeys(keys, now, 14*24*time.Hour)
	}); n != 0 {
		t.Fatalf("KeySetHash + ValidateKeys allocate %v times per upload", n)
	}
}

// validUpload returns n valid keys: one per day, ending today.
func validUpload(now time.Time, n int) []tek.Key {
	today := tek.IntervalOf(now) / tek.IntervalsPerDay * tek.IntervalsPerDay
	keys := make([]tek.Key, n)
	for i := range keys {
		keys[i].Data[0], keys[i].Data[1] = byte(i), 0xA5
		keys[i].RollingStart = today - uint32(i)*tek.IntervalsPerDay
		keys[i].RollingPeriod = tek.MaxRollingPeriod
	}
	return keys
}
