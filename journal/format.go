package journal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// FormatVersion is the on-disk format version written into every segment
// header. Readers refuse segments of any other version with
// ErrUnsupportedVersion.
const FormatVersion uint32 = 1

// MaxRecordBytes is the largest payload a single record may carry. A length
// field above it is treated as damage.
const MaxRecordBytes = 64 << 20

const (
	// segmentMagic opens every segment file.
	segmentMagic = "TEKJRNL\x00"
	// headerSize is the size of the segment header.
	headerSize = 32
	// headerCRCOffset is where the header checksum sits; it covers the bytes before it.
	headerCRCOffset = 28
	// recordHeaderSize covers index, term and payload length.
	recordHeaderSize = 8 + 8 + 4
	// recordOverhead is the size of a record without its payload.
	recordOverhead = recordHeaderSize + 4
)

// castagnoli is the CRC-32C table; crc32 uses the CPU's CRC instruction for it.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var le = binary.LittleEndian

// appendSegmentHeader appends a segment header whose prev field is prev.
func appendSegmentHeader(b []byte, prev uint64) []byte {
	start := len(b)
	b = append(b, segmentMagic...)
	b = le.AppendUint32(b, FormatVersion)
	b = le.AppendUint32(b, 0) // flags
	b = le.AppendUint64(b, prev)
	b = le.AppendUint32(b, 0) // reserved
	return le.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// parseSegmentHeader checks a headerSize-byte segment header and returns its
// prev field. Damage yields ErrBadHeader; an intact header of another format
// yields ErrUnsupportedVersion.
func parseSegmentHeader(b []byte) (uint64, error) {
	if len(b) < headerSize || string(b[:len(segmentMagic)]) != segmentMagic ||
		crc32.Checksum(b[:headerCRCOffset], castagnoli) != le.Uint32(b[headerCRCOffset:]) {
		return 0, ErrBadHeader
	}
	if v, flags := le.Uint32(b[8:]), le.Uint32(b[12:]); v != FormatVersion || flags != 0 {
		return 0, fmt.Errorf("%w: version %d flags %#x", ErrUnsupportedVersion, v, flags)
	}
	return le.Uint64(b[16:]), nil
}

// appendRecord appends one encoded record.
func appendRecord(b []byte, index, term uint64, data []byte) []byte {
	start := len(b)
	b = le.AppendUint64(b, index)
	b = le.AppendUint64(b, term)
	b = le.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	return le.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// recordSize is the encoded size of a record carrying n payload bytes.
func recordSize(n int) int64 { return recordOverhead + int64(n) }
