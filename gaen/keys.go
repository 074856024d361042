package gaen

import (
	"bytes"
	"fmt"
	"math"

	"github.com/tekstore/tekstore/gaen/exportpb"
	"github.com/tekstore/tekstore/tek"
)

// Ranges of key fields accepted by the export format.
const (
	maxTransmissionRisk = 8
	maxOnsetDays        = 14
)

// validateKey checks that k can be written to an export file as a key.
func validateKey(k tek.Key) error {
	switch {
	case k.RollingStart > math.MaxInt32:
		return fmt.Errorf("%w: rolling start %d out of range", ErrInvalidKey, k.RollingStart)
	case k.RollingPeriod < 1 || k.RollingPeriod > tek.MaxRollingPeriod:
		return fmt.Errorf("%w: rolling period %d, want 1..%d", ErrInvalidKey, k.RollingPeriod, tek.MaxRollingPeriod)
	case k.TransmissionRisk > maxTransmissionRisk:
		return fmt.Errorf("%w: transmission risk %d, want 0..%d", ErrInvalidKey, k.TransmissionRisk, maxTransmissionRisk)
	case k.ReportType > tek.ReportRecursive:
		return fmt.Errorf("%w: report type %s not allowed for a published key", ErrInvalidKey, k.ReportType)
	case k.HasOnset && (k.DaysSinceOnset < -maxOnsetDays || k.DaysSinceOnset > maxOnsetDays):
		return fmt.Errorf("%w: days since onset %d, want -%d..%d", ErrInvalidKey, k.DaysSinceOnset, maxOnsetDays, maxOnsetDays)
	}
	return nil
}

// validateRevoked checks that r can be written to an export file as a revised key.
func validateRevoked(r tek.RevokedKey) error {
	if r.RollingStart > math.MaxInt32 {
		return fmt.Errorf("%w: revoked key rolling start %d out of range", ErrInvalidKey, r.RollingStart)
	}
	return nil
}

// keyProto converts a validated key to its export message. Days since onset
// is present only when the key has it; the other fields are always set.
func keyProto(k tek.Key) *exportpb.TemporaryExposureKey {
	pb := &exportpb.TemporaryExposureKey{
		KeyData:                    bytes.Clone(k.Data[:]),
		TransmissionRiskLevel:      ptr(int32(k.TransmissionRisk)),
		RollingStartIntervalNumber: ptr(int32(k.RollingStart)),
		RollingPeriod:              ptr(int32(k.RollingPeriod)),
		ReportType:                 exportpb.TemporaryExposureKey_ReportType(k.ReportType).Enum(),
	}
	if k.HasOnset {
		pb.DaysSinceOnsetOfSymptoms = ptr(int32(k.DaysSinceOnset))
	}
	return pb
}

// revokedProto converts a validated revoked key to a revised-key message with
// report type REVOKED. The revocation record carries no window length or
// risk, so the full-day rolling period and risk 0 are written.
func revokedProto(r tek.RevokedKey) *exportpb.TemporaryExposureKey {
	return &exportpb.TemporaryExposureKey{
		KeyData:                    bytes.Clone(r.Data[:]),
		TransmissionRiskLevel:      ptr(int32(0)),
		RollingStartIntervalNumber: ptr(int32(r.RollingStart)),
		RollingPeriod:              ptr(int32(tek.MaxRollingPeriod)),
		ReportType:                 exportpb.TemporaryExposureKey_REVOKED.Enum(),
	}
}
