package tek

import (
	"bytes"
	"time"
)

// KeyLen is the length in bytes of a Temporary Exposure Key.
const KeyLen = 16

// IntervalSeconds is the length of one ENIntervalNumber in seconds.
const IntervalSeconds = 600

// MaxRollingPeriod is the largest rolling period (one day of intervals).
const MaxRollingPeriod = 144

// IntervalsPerDay is the number of ENIntervalNumbers in a UTC day.
const IntervalsPerDay = 144

// ReportType is the diagnosis type of a key. The numbers are those of the
// GAEN export format's ReportType enum.
type ReportType uint8

// Report types, numbered as in the GAEN export format.
const (
	ReportUnknown   ReportType = 0
	ReportConfirmed ReportType = 1
	ReportClinical  ReportType = 2
	ReportSelf      ReportType = 3
	ReportRecursive ReportType = 4
	ReportRevoked   ReportType = 5
)

var reportNames = map[ReportType]string{
	ReportUnknown:   "unknown",
	ReportConfirmed: "confirmed",
	ReportClinical:  "clinical",
	ReportSelf:      "self_report",
	ReportRecursive: "recursive",
	ReportRevoked:   "revoked",
}

// String returns the JSON name of the report type ("confirmed", ...).
func (r ReportType) String() string {
	if s, ok := reportNames[r]; ok {
		return s
	}
	return "unknown"
}

// ParseReportType maps a JSON name to a report type that an authorization may
// carry. It accepts confirmed, clinical, self_report and recursive only.
func ParseReportType(s string) (ReportType, bool) {
	switch s {
	case "confirmed":
		return ReportConfirmed, true
	case "clinical":
		return ReportClinical, true
	case "self_report":
		return ReportSelf, true
	case "recursive":
		return ReportRecursive, true
	}
	return ReportUnknown, false
}

// Key is one Temporary Exposure Key with its validity window and metadata.
// It is a plain value with no pointers so that large sets of keys can be held
// in flat slices.
type Key struct {
	Data             [KeyLen]byte
	RollingStart     uint32 // ENIntervalNumber of the window start
	RollingPeriod    uint8  // 1..144 intervals
	TransmissionRisk uint8  // 0..8
	ReportType       ReportType
	HasOnset         bool // DaysSinceOnset is meaningful
	DaysSinceOnset   int8 // -14..14
}

// WindowEnd returns the first interval after the key's validity window.
func (k Key) WindowEnd() uint32 { return k.RollingStart + uint32(k.RollingPeriod) }

// Less orders keys by their key bytes, the order used in export files.
func Less(a, b Key) bool { return bytes.Compare(a.Data[:], b.Data[:]) < 0 }

// RevokedKey names a key that left the public set before it expired.
type RevokedKey struct {
	Data         [KeyLen]byte
	RollingStart uint32
}

// IntervalOf returns the ENIntervalNumber containing t.
func IntervalOf(t time.Time) uint32 { return uint32(t.Unix() / IntervalSeconds) }

// IntervalTime returns the start time of interval n.
func IntervalTime(n uint32) time.Time { return time.Unix(int64(n)*IntervalSeconds, 0).UTC() }
