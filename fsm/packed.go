package fsm

import (
	"encoding/binary"
	"fmt"

	"github.com/tekstore/tekstore/tek"
)

// packedEntryLen is the width of one entry in a PublicKeyBlock.
const packedEntryLen = 45

// Flags of a packed entry.
const (
	packedOnset   = 1 << 0
	packedExpired = 1 << 1
)

// appendPackedEntry appends the snapshot form of an entry (see
// PublicKeyBlock).
func appendPackedEntry(b []byte, p placed) []byte {
	e := &p.e
	b = append(b, e.data[:]...)
	b = binary.LittleEndian.AppendUint32(b, e.rollingStart)
	var flags byte
	if e.flags&entryOnset != 0 {
		flags |= packedOnset
	}
	if e.expired() {
		flags |= packedExpired
	}
	b = append(b, e.period, e.risk, e.flags&entryTypeMask, flags, byte(e.onset))
	b = binary.LittleEndian.AppendUint64(b, p.seq)
	b = binary.LittleEndian.AppendUint32(b, p.sub)
	return binary.LittleEndian.AppendUint64(b, p.revokedSeq)
}

// unpackEntry reads one packed entry; b holds exactly packedEntryLen bytes.
func unpackEntry(b []byte) (placed, error) {
	var p placed
	e := &p.e
	copy(e.data[:], b[:tek.KeyLen])
	e.rollingStart = binary.LittleEndian.Uint32(b[16:])
	e.period, e.risk = b[20], b[21]
	rtype, flags := b[22], b[23]
	if rtype > uint8(tek.ReportRevoked) || flags&^(packedOnset|packedExpired) != 0 {
		return p, fmt.Errorf("packed entry: report type %d, flags %#x out of range", rtype, flags)
	}
	e.flags = rtype
	if flags&packedOnset != 0 {
		e.flags |= entryOnset
	}
	if flags&packedExpired != 0 {
		e.flags |= entryExpired
	}
	e.onset = int8(b[24])
	p.seq = binary.LittleEndian.Uint64(b[25:])
	p.sub = binary.LittleEndian.Uint32(b[33:])
	p.revokedSeq = binary.LittleEndian.Uint64(b[37:])
	if p.revokedSeq != 0 {
		e.flags |= entryRevoked
	}
	return p, nil
}
