// Package journal is tekstore's event journal: an append-only, checksummed
// record of every Raft log command a node applies, kept in log order under
// the node's data directory. Raft log compaction never touches it, so
// `tekstore rebuild` can replay the whole history from nothing with the
// current code, even after a bug corrupted the derived state.
//
// # Layout
//
// A journal is a directory of segment files named after the index of the
// first record they were created for, zero padded to 20 digits
// ("00000000000000000001.seg"), so that name order is index order. The
// writer starts a new segment when the current one would grow beyond
// Options.SegmentBytes. Every segment starts with a 32-byte header:
//
//	magic   [8]byte  "TEKJRNL\x00"
//	version uint32   FormatVersion
//	flags   uint32   0
//	prev    uint64   index of the last record before this segment (0: none)
//	_       uint32   reserved, 0
//	crc     uint32   CRC-32C (Castagnoli) of the 28 bytes above
//
// followed by records, each
//
//	index  uint64
//	term   uint64
//	length uint32
//	data   [length]byte
//	crc    uint32   CRC-32C of index, term, length and data
//
// All integers are little endian. Record indexes increase strictly across
// the whole journal; gaps are allowed, because Raft entries that are not
// commands (configuration changes, no-ops) are not journaled. The prev field
// lets a reader notice a missing segment and tell a journal trimmed by
// retention from a complete one (Reader.PrunedThrough).
//
// # Crashes and damage
//
// A crash can leave a partly written record at the end of the last segment
// (a torn tail). The torn tail is defined the same way everywhere: damage in
// the last segment after which no intact record follows. Open truncates it;
// a Reader stops there with io.EOF, because on a live journal it may be a
// record still being written. Damage anywhere else is corruption: Open leaves
// it alone, and a Reader reports it as a *CorruptError (errors.Is
// ErrCorrupt), or steps over it when ReadOptions.SkipCorrupt is set.
package journal
