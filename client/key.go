package client

import (
	"encoding/base64"
	"fmt"
	"time"
)

// Report types of spec §3.
const (
	ReportConfirmed  = "confirmed"
	ReportClinical   = "clinical"
	ReportSelfReport = "self_report"
	ReportRecursive  = "recursive"
)

// Key is a Temporary Exposure Key in the JSON form of spec §3. Zero
// RollingPeriod and TransmissionRisk are sent as absent, so the server's
// defaults (144 and 0) apply.
type Key struct {
	// Key is the base64 of the 16 key bytes.
	Key                string `json:"key"`
	RollingStartNumber uint32 `json:"rollingStartNumber"`
	RollingPeriod      uint8  `json:"rollingPeriod,omitempty"`
	TransmissionRisk   uint8  `json:"transmissionRisk,omitempty"`
	// ReportType is set by the server from the code's authorization.
	ReportType               string `json:"reportType,omitempty"`
	DaysSinceOnsetOfSymptoms *int8  `json:"daysSinceOnsetOfSymptoms,omitempty"`
}

// NewKey builds a key from its 16 bytes and its validity window.
func NewKey(data [16]byte, rollingStart uint32, rollingPeriod uint8) Key {
	return Key{Key: base64.StdEncoding.EncodeToString(data[:]), RollingStartNumber: rollingStart, RollingPeriod: rollingPeriod}
}

// Bytes decodes the key bytes.
func (k Key) Bytes() ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(k.Key)
	if err != nil {
		return nil, fmt.Errorf("decode key: %w", err)
	}
	return b, nil
}

// Ref returns the reference that names this key in revocations.
func (k Key) Ref() KeyRef { return KeyRef{Key: k.Key, RollingStartNumber: k.RollingStartNumber} }

// KeyRef names a key by its bytes and start (revocations).
type KeyRef struct {
	Key                string `json:"key"`
	RollingStartNumber uint32 `json:"rollingStartNumber"`
}

// IntervalOf returns the ENIntervalNumber (unix seconds / 600) of t.
func IntervalOf(t time.Time) uint32 { return uint32(t.Unix() / 600) }

// DayStart returns the first interval of t's UTC day (a multiple of 144).
func DayStart(t time.Time) uint32 { return IntervalOf(t) / 144 * 144 }
