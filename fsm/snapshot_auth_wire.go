package fsm

import (
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of fsmpb.SnapshotRecord's authorization and of
// fsmpb.AuthorizationRecord.
const (
	wireSnapAuthorization = 3

	wireAuthID         = 1
	wireAuthCodeHash   = 2
	wireAuthProvider   = 3
	wireAuthReportType = 4
	wireAuthHasOnset   = 5
	wireAuthOnsetDay   = 6
	wireAuthIssued     = 7
	wireAuthExpires    = 8
	wireAuthSubmission = 9
)

// appendAuthSnapshotRecord appends one authorization as a length-prefixed
// fsmpb.SnapshotRecord, the bytes protodelim writes for it (deterministic
// marshaling: fields in number order, zero values left out). A snapshot
// holds one record per live code, often hundreds of thousands: this skips
// building and reflecting over two messages per code.
func appendAuthSnapshotRecord(b []byte, a *authRec, providerID string, sub *shortID) []byte {
	var scratch [160]byte
	inner := scratch[:0]
	inner = appendStringField(inner, wireAuthID, a.id[1:1+a.id[0]])
	inner = appendStringField(inner, wireAuthCodeHash, a.codeHash[:])
	inner = appendStringField(inner, wireAuthProvider, []byte(providerID))
	inner = appendVarintField(inner, wireAuthReportType, uint64(a.rtype))
	if a.flags&authOnset != 0 {
		inner = appendVarintField(inner, wireAuthHasOnset, 1)
	}
	inner = appendVarintField(inner, wireAuthOnsetDay, uint64(int64(a.onsetDay)))
	inner = appendVarintField(inner, wireAuthIssued, uint64(a.issuedMs))
	inner = appendVarintField(inner, wireAuthExpires, uint64(a.expiresMs))
	if sub != nil {
		inner = appendStringField(inner, wireAuthSubmission, sub[1:1+sub[0]])
	}
	outer := protowire.SizeTag(wireSnapAuthorization) + protowire.SizeBytes(len(inner))
	b = protowire.AppendVarint(b, uint64(outer))
	b = protowire.AppendTag(b, wireSnapAuthorization, protowire.BytesType)
	return protowire.AppendBytes(b, inner)
}

// appendStringField appends a length-delimited field, left out when empty.
func appendStringField(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}
