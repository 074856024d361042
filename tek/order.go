package tek

import (
	"bytes"
	"cmp"
)

// Compare is a total order on keys: key bytes first (the order of export
// files, which reveals nothing about which keys were uploaded together),
// then every other field, so that sorted output never depends on the input
// order even when the same key bytes appear twice.
func Compare(a, b Key) int {
	if c := bytes.Compare(a.Data[:], b.Data[:]); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(a.RollingStart, b.RollingStart),
		cmp.Compare(a.RollingPeriod, b.RollingPeriod),
		cmp.Compare(a.TransmissionRisk, b.TransmissionRisk),
		cmp.Compare(a.ReportType, b.ReportType),
		cmp.Compare(boolInt(a.HasOnset), boolInt(b.HasOnset)),
		cmp.Compare(a.DaysSinceOnset, b.DaysSinceOnset),
	)
}

// CompareRevoked orders revoked keys by key bytes, then window start.
func CompareRevoked(a, b RevokedKey) int {
	if c := bytes.Compare(a.Data[:], b.Data[:]); c != 0 {
		return c
	}
	return cmp.Compare(a.RollingStart, b.RollingStart)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
