package fsm

import (
	"fmt"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

// KeyToPB converts a key to its log form.
func KeyToPB(k tek.Key) *fsmpb.Key {
	return &fsmpb.Key{
		Data:             append([]byte(nil), k.Data[:]...),
		RollingStart:     k.RollingStart,
		RollingPeriod:    uint32(k.RollingPeriod),
		TransmissionRisk: uint32(k.TransmissionRisk),
		HasOnset:         k.HasOnset,
		DaysSinceOnset:   int32(k.DaysSinceOnset),
		ReportType:       uint32(k.ReportType),
	}
}

// KeysToPB converts keys to their log form.
func KeysToPB(keys []tek.Key) []*fsmpb.Key {
	out := make([]*fsmpb.Key, len(keys))
	for i, k := range keys {
		out[i] = KeyToPB(k)
	}
	return out
}

// keyFromPB converts a logged key, checking only what a Go value can hold;
// the rules of spec §3 are ValidateKeys' job.
func keyFromPB(p *fsmpb.Key) (tek.Key, error) {
	var k tek.Key
	if p == nil || len(p.Data) != tek.KeyLen {
		return k, fmt.Errorf("%w: key data must be %d bytes", ErrBadCommand, tek.KeyLen)
	}
	if p.RollingPeriod > 255 || p.TransmissionRisk > 255 || p.ReportType > 255 ||
		p.DaysSinceOnset < -128 || p.DaysSinceOnset > 127 {
		return k, fmt.Errorf("%w: key field out of range", ErrBadCommand)
	}
	copy(k.Data[:], p.Data)
	k.RollingStart = p.RollingStart
	k.RollingPeriod = uint8(p.RollingPeriod)
	k.TransmissionRisk = uint8(p.TransmissionRisk)
	k.HasOnset = p.HasOnset
	k.DaysSinceOnset = int8(p.DaysSinceOnset)
	k.ReportType = tek.ReportType(p.ReportType)
	return k, nil
}

func keysFromPB(ps []*fsmpb.Key) ([]tek.Key, error) {
	out := make([]tek.Key, len(ps))
	for i, p := range ps {
		k, err := keyFromPB(p)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		out[i] = k
	}
	return out, nil
}

func refToPB(r tek.RevokedKey) *fsmpb.KeyRef {
	return &fsmpb.KeyRef{Data: append([]byte(nil), r.Data[:]...), RollingStart: r.RollingStart}
}

func refFromPB(p *fsmpb.KeyRef) (tek.RevokedKey, error) {
	var r tek.RevokedKey
	if p == nil || len(p.Data) != tek.KeyLen {
		return r, fmt.Errorf("%w: key data must be %d bytes", ErrBadCommand, tek.KeyLen)
	}
	copy(r.Data[:], p.Data)
	r.RollingStart = p.RollingStart
	return r, nil
}

func hashFromBytes(b []byte) (Hash, error) {
	var h Hash
	if len(b) != len(h) {
		return h, fmt.Errorf("%w: hash must be %d bytes", ErrBadCommand, len(h))
	}
	copy(h[:], b)
	return h, nil
}
