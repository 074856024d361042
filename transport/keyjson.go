package transport

import (
	"encoding/base64"
	"fmt"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/tek"
)

// keyIn is a key as an app sends it. Pointers tell absent from zero.
type keyIn struct {
	Key                      *string `json:"key"`
	RollingStartNumber       *int64  `json:"rollingStartNumber"`
	RollingPeriod            *int64  `json:"rollingPeriod"`
	TransmissionRisk         *int64  `json:"transmissionRisk"`
	ReportType               *string `json:"reportType"` // ignored: the code decides
	DaysSinceOnsetOfSymptoms *int64  `json:"daysSinceOnsetOfSymptoms"`
}

// keyOut is a key as the API shows it.
type keyOut struct {
	Key                      string `json:"key"`
	RollingStartNumber       uint32 `json:"rollingStartNumber"`
	RollingPeriod            uint8  `json:"rollingPeriod"`
	TransmissionRisk         uint8  `json:"transmissionRisk"`
	ReportType               string `json:"reportType"`
	DaysSinceOnsetOfSymptoms *int8  `json:"daysSinceOnsetOfSymptoms,omitempty"`
}

// keyRef names a key by bytes and start (revocations).
type keyRef struct {
	Key                string `json:"key"`
	RollingStartNumber uint32 `json:"rollingStartNumber"`
}

// keyRefIn is a key reference as a client sends it.
type keyRefIn struct {
	Key                *string `json:"key"`
	RollingStartNumber *int64  `json:"rollingStartNumber"`
}

func decodeKeyBytes(s *string, i int) ([tek.KeyLen]byte, error) {
	var out [tek.KeyLen]byte
	if s == nil || *s == "" {
		return out, badRequest("key %d: field \"key\" is required", i)
	}
	b, err := base64.StdEncoding.DecodeString(*s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(*s); err != nil {
			return out, badRequest("key %d: \"key\" is not base64", i)
		}
	}
	if len(b) != tek.KeyLen {
		return out, &fsm.KeyError{Index: i, Rule: fmt.Sprintf("key must be exactly %d bytes, got %d", tek.KeyLen, len(b))}
	}
	copy(out[:], b)
	return out, nil
}

func decodeStart(v *int64, i int) (uint32, error) {
	if v == nil {
		return 0, badRequest("key %d: field \"rollingStartNumber\" is required", i)
	}
	if *v < 0 || *v > int64(^uint32(0)) {
		return 0, &fsm.KeyError{Index: i, Rule: "rollingStartNumber out of range"}
	}
	return uint32(*v), nil
}

// toKey converts and range-checks one key; the rules of spec §3 that need
// time or the whole upload are fsm.ValidateKeys' job.
func (k keyIn) toKey(i int) (tek.Key, error) {
	var out tek.Key
	data, err := decodeKeyBytes(k.Key, i)
	if err != nil {
		return out, err
	}
	start, err := decodeStart(k.RollingStartNumber, i)
	if err != nil {
		return out, err
	}
	out.Data, out.RollingStart, out.RollingPeriod = data, start, tek.MaxRollingPeriod
	if k.RollingPeriod != nil {
		if *k.RollingPeriod < 1 || *k.RollingPeriod > tek.MaxRollingPeriod {
			return out, &fsm.KeyError{Index: i, Rule: fmt.Sprintf("rollingPeriod must be 1..%d", tek.MaxRollingPeriod)}
		}
		out.RollingPeriod = uint8(*k.RollingPeriod)
	}
	if k.TransmissionRisk != nil {
		if *k.TransmissionRisk < 0 || *k.TransmissionRisk > fsm.MaxTransmissionRisk {
			return out, &fsm.KeyError{Index: i, Rule: fmt.Sprintf("transmissionRisk must be 0..%d", fsm.MaxTransmissionRisk)}
		}
		out.TransmissionRisk = uint8(*k.TransmissionRisk)
	}
	if d := k.DaysSinceOnsetOfSymptoms; d != nil {
		if *d < -fsm.MaxOnsetDays || *d > fsm.MaxOnsetDays {
			return out, &fsm.KeyError{Index: i, Rule: fmt.Sprintf("daysSinceOnsetOfSymptoms must be -%d..%d", fsm.MaxOnsetDays, fsm.MaxOnsetDays)}
		}
		out.HasOnset, out.DaysSinceOnset = true, int8(*d)
	}
	return out, nil
}

func (k keyRefIn) toRef(i int) (tek.RevokedKey, error) {
	data, err := decodeKeyBytes(k.Key, i)
	if err != nil {
		return tek.RevokedKey{}, err
	}
	start, err := decodeStart(k.RollingStartNumber, i)
	if err != nil {
		return tek.RevokedKey{}, err
	}
	return tek.RevokedKey{Data: data, RollingStart: start}, nil
}

func toKeyOut(k tek.Key) keyOut {
	o := keyOut{
		Key: base64.StdEncoding.EncodeToString(k.Data[:]), RollingStartNumber: k.RollingStart,
		RollingPeriod: k.RollingPeriod, TransmissionRisk: k.TransmissionRisk, ReportType: k.ReportType.String(),
	}
	if k.HasOnset {
		d := k.DaysSinceOnset
		o.DaysSinceOnsetOfSymptoms = &d
	}
	return o
}

func toKeysOut(keys []tek.Key) []keyOut {
	out := make([]keyOut, len(keys))
	for i, k := range keys {
		out[i] = toKeyOut(k)
	}
	return out
}

func toRefsOut(refs []tek.RevokedKey) []keyRef {
	out := make([]keyRef, len(refs))
	for i, r := range refs {
		out[i] = keyRef{Key: base64.StdEncoding.EncodeToString(r.Data[:]), RollingStartNumber: r.RollingStart}
	}
	return out
}
