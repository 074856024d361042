package tek

import (
	"slices"
	"testing"
	"time"
)

func TestCompareIsTotalAndKeyBytesFirst(t *testing.T) {
	a := Key{Data: [KeyLen]byte{1}, RollingStart: 9}
	b := Key{Data: [KeyLen]byte{2}, RollingStart: 1}
	if Compare(a, b) >= 0 || Compare(b, a) <= 0 {
		t.Fatal("key bytes must decide first")
	}
	c := a
	c.HasOnset, c.DaysSinceOnset = true, -3
	if Compare(a, c) == 0 || Compare(a, c) != -Compare(c, a) {
		t.Fatal("keys differing only in onset must be ordered, antisymmetrically")
	}
	if Compare(a, a) != 0 {
		t.Fatal("a key must equal itself")
	}
	keys := []Key{c, b, a}
	slices.SortFunc(keys, Compare)
	if keys[0] != a || keys[1] != c || keys[2] != b {
		t.Fatalf("sorted = %v", keys)
	}
	r1, r2 := RevokedKey{Data: a.Data, RollingStart: 1}, RevokedKey{Data: a.Data, RollingStart: 2}
	if CompareRevoked(r1, r2) >= 0 || CompareRevoked(r2, r1) <= 0 || CompareRevoked(r1, r1) != 0 {
		t.Fatal("revoked keys with equal bytes must order by start")
	}
}

func TestReportTypes(t *testing.T) {
	for _, name := range []string{"confirmed", "clinical", "self_report", "recursive"} {
		rt, ok := ParseReportType(name)
		if !ok || rt.String() != name {
			t.Errorf("ParseReportType(%q) = %v, %v", name, rt, ok)
		}
	}
	for _, name := range []string{"", "revoked", "unknown", "CONFIRMED"} {
		if _, ok := ParseReportType(name); ok {
			t.Errorf("ParseReportType(%q) accepted", name)
		}
	}
	if ReportRevoked.String() != "revoked" || ReportType(99).String() != "unknown" {
		t.Error("String of revoked/out-of-range")
	}
}

func TestIntervals(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC)
	n := IntervalOf(at)
	if got := IntervalTime(n); !got.Equal(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("IntervalTime(IntervalOf(%v)) = %v", at, got)
	}
	k := Key{RollingStart: n, RollingPeriod: 144}
	if k.WindowEnd() != n+144 || !Less(Key{Data: [KeyLen]byte{0}}, Key{Data: [KeyLen]byte{1}}) {
		t.Fatal("WindowEnd or Less")
	}
}
