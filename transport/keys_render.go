package transport

import (
	"encoding/base64"
	"strconv"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/tek"
)

// appendDeltaJSON renders a delta exactly as encoding/json renders
// keysResponse (same field order and spelling, same trailing newline as
// writeJSON), without reflection or per-key allocations. The read path
// serves most of the traffic, so this is where its CPU goes.
func appendDeltaJSON(b []byte, d fsm.Delta) []byte {
	b = append(b, `{"since":`...)
	b = strconv.AppendUint(b, d.Since, 10)
	b = append(b, `,"until":`...)
	b = strconv.AppendUint(b, d.Until, 10)
	b = append(b, `,"reset":`...)
	b = strconv.AppendBool(b, d.Reset)
	b = append(b, `,"more":`...)
	b = strconv.AppendBool(b, d.More)
	b = append(b, `,"keys":[`...)
	for i, k := range d.Keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKeyJSON(b, k)
	}
	b = append(b, `],"revoked":[`...)
	for i, r := range d.Revoked {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key":"`...)
		b = base64.StdEncoding.AppendEncode(b, r.Data[:])
		b = append(b, `","rollingStartNumber":`...)
		b = strconv.AppendUint(b, uint64(r.RollingStart), 10)
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}

// appendKeyJSON renders one key as encoding/json renders keyOut.
func appendKeyJSON(b []byte, k tek.Key) []byte {
	b = append(b, `{"key":"`...)
	b = base64.StdEncoding.AppendEncode(b, k.Data[:])
	b = append(b, `","rollingStartNumber":`...)
	b = strconv.AppendUint(b, uint64(k.RollingStart), 10)
	b = append(b, `,"rollingPeriod":`...)
	b = strconv.AppendUint(b, uint64(k.RollingPeriod), 10)
	b = append(b, `,"transmissionRisk":`...)
	b = strconv.AppendUint(b, uint64(k.TransmissionRisk), 10)
	b = append(b, `,"reportType":"`...)
	b = append(b, k.ReportType.String()...)
	b = append(b, '"')
	if k.HasOnset {
		b = append(b, `,"daysSinceOnsetOfSymptoms":`...)
		b = strconv.AppendInt(b, int64(k.DaysSinceOnset), 10)
	}
	return append(b, '}')
}

// deltaJSONSize estimates the rendered size to allocate once.
func deltaJSONSize(d fsm.Delta) int {
	return 96 + len(d.Keys)*150 + len(d.Revoked)*64
}
