package fsm

import (
	"fmt"
	"time"

	"github.com/tekstore/tekstore/tek"
)

// Upload limits of spec §3.
const (
	MaxKeysPerUpload    = 30
	MaxKeysSameStart    = 3
	MaxTransmissionRisk = 8
	MaxOnsetDays        = 14
)

// ValidateKeys checks an upload against every rule of spec §3 at time now.
// It returns a *KeyError (errors.Is ErrInvalidKey) naming the first key and
// rule broken, or nil. The HTTP layer calls it before proposing and Apply
// calls it again with the leader's time, so both give the same verdict
// unless the clock moved across a boundary in between.
func ValidateKeys(keys []tek.Key, now time.Time, retention time.Duration) error {
	if len(keys) == 0 || len(keys) > MaxKeysPerUpload {
		return &KeyError{Index: -1, Rule: fmt.Sprintf("an upload holds 1 to %d keys, got %d", MaxKeysPerUpload, len(keys))}
	}
	oldest := now.Add(-(retention + 24*time.Hour))
	current := tek.IntervalOf(now)
	for i, k := range keys {
		if err := checkKeyFields(i, k, oldest, current); err != nil {
			return err
		}
		// At most MaxKeysPerUpload keys: comparing with the earlier ones
		// costs less than building sets, and allocates nothing.
		sameStart := 1
		for j := range keys[:i] {
			if keys[j].Data == k.Data {
				return &KeyError{Index: i, Rule: fmt.Sprintf("same key as key %d", j)}
			}
			if keys[j].RollingStart == k.RollingStart {
				sameStart++
			}
		}
		if sameStart > MaxKeysSameStart {
			return &KeyError{Index: i, Rule: fmt.Sprintf("more than %d keys with the same rollingStartNumber", MaxKeysSameStart)}
		}
	}
	return checkOverlap(keys)
}

// checkKeyFields applies the rules of spec §3 that concern key i alone:
// field ranges, and a window inside [oldest, current interval].
func checkKeyFields(i int, k tek.Key, oldest time.Time, current uint32) error {
	switch {
	case k.RollingPeriod < 1 || k.RollingPeriod > tek.MaxRollingPeriod:
		return &KeyError{Index: i, Rule: fmt.Sprintf("rollingPeriod must be 1..%d", tek.MaxRollingPeriod)}
	case k.TransmissionRisk > MaxTransmissionRisk:
		return &KeyError{Index: i, Rule: fmt.Sprintf("transmissionRisk must be 0..%d", MaxTransmissionRisk)}
	case k.HasOnset && (k.DaysSinceOnset < -MaxOnsetDays || k.DaysSinceOnset > MaxOnsetDays):
		return &KeyError{Index: i, Rule: fmt.Sprintf("daysSinceOnsetOfSymptoms must be -%d..%d", MaxOnsetDays, MaxOnsetDays)}
	case tek.IntervalTime(k.WindowEnd()).Before(oldest):
		return &KeyError{Index: i, Rule: "key window ended before the retention window plus one day"}
	case k.RollingStart > current:
		return &KeyError{Index: i, Rule: "rollingStartNumber is in the future"}
	}
	return nil
}

// checkOverlap rejects keys whose windows overlap while their starts differ.
// keys holds 1 to MaxKeysPerUpload keys.
func checkOverlap(keys []tek.Key) error {
	// order: key indexes by rolling start, ties in upload order (a stable
	// insertion sort, on the stack).
	var stack [MaxKeysPerUpload]uint8
	order := stack[:len(keys)]
	for i := range order {
		order[i] = uint8(i)
		for j := i; j > 0 && keys[order[j-1]].RollingStart > keys[order[j]].RollingStart; j-- {
			order[j-1], order[j] = order[j], order[j-1]
		}
	}
	var maxEnd uint32 // largest window end among keys with a smaller start
	var groupEnd uint32
	groupStart := keys[order[0]].RollingStart
	for _, i := range order {
		k := keys[i]
		if k.RollingStart != groupStart {
			if groupEnd > maxEnd {
				maxEnd = groupEnd
			}
			groupStart, groupEnd = k.RollingStart, 0
		}
		if maxEnd > k.RollingStart {
			return &KeyError{Index: int(i), Rule: "window overlaps another key's window with a different rollingStartNumber"}
		}
		if e := k.WindowEnd(); e > groupEnd {
			groupEnd = e
		}
	}
	return nil
}
