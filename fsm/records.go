package fsm

import (
	"hash/maphash"

	"github.com/tekstore/tekstore/tek"
)

// entry is one key of the public set, in seq order, packed into 24 bytes
// with no pointers (it lives in a column outside the Go heap). Its seq and
// its owning submission are kept once per run of entries that share them
// (State.seqRuns, State.subRuns), and its revocation seq in State.revokedAt,
// since few keys are ever revoked.
type entry struct {
	data         [tek.KeyLen]byte
	rollingStart uint32
	period       uint8
	risk         uint8
	flags        uint8 // report type (bits 0-2), entryOnset, entryExpired, entryRevoked
	onset        int8
}

const (
	entryTypeMask uint8 = 0x07
	entryOnset    uint8 = 1 << 3
	entryExpired  uint8 = 1 << 4 // left the public set by expiry
	entryRevoked  uint8 = 1 << 5 // revoked; the seq is in State.revokedAt
)

func packEntry(k tek.Key) entry {
	e := entry{data: k.Data, rollingStart: k.RollingStart, period: k.RollingPeriod,
		risk: k.TransmissionRisk, flags: uint8(k.ReportType) & entryTypeMask, onset: k.DaysSinceOnset}
	if k.HasOnset {
		e.flags |= entryOnset
	}
	return e
}

func (e *entry) key() tek.Key {
	return tek.Key{Data: e.data, RollingStart: e.rollingStart, RollingPeriod: e.period, TransmissionRisk: e.risk,
		ReportType: tek.ReportType(e.flags & entryTypeMask), HasOnset: e.flags&entryOnset != 0, DaysSinceOnset: e.onset}
}

func (e *entry) windowEnd() uint32 { return e.rollingStart + uint32(e.period) }
func (e *entry) expired() bool     { return e.flags&entryExpired != 0 }
func (e *entry) revoked() bool     { return e.flags&entryRevoked != 0 }

// seqRun says that the entries from index start on were added at seq, up
// to the next run's start.
type seqRun struct {
	seq   uint64
	start uint32
}

// subRun says that the entries from index start on belong to submission
// sub, up to the next run's start.
type subRun struct {
	start uint32
	sub   uint32
}

// placed is an entry with the facts kept beside it: where it came from in
// a snapshot, or where compaction moves it.
type placed struct {
	e          entry
	seq        uint64
	sub        uint32
	revokedSeq uint64
}

// shortID holds an id string of up to 23 bytes inline (length first);
// longer ids; tekstore makes ids of 18 bytes and Apply refuses longer ones.
type shortID [24]byte

const shortIDMax = len(shortID{}) - 1

func makeShortID(s string) (shortID, bool) {
	var id shortID
	if len(s) > shortIDMax {
		return id, false
	}
	id[0] = byte(len(s))
	copy(id[1:], s)
	return id, true
}

func (id *shortID) String() string { return string(id[1 : 1+id[0]]) }

// setHash16 is a key-set hash (KeySetHash) cut to 128 bits: it only tells
// a retried upload from a different one made with the same code, and 128
// bits keep that collision-free short of breaking SHA-256 itself.
type setHash16 [16]byte

func cutSetHash(h Hash) setHash16 { return setHash16(h[:16]) }

// Submission life-cycle states of subRec.state.
const (
	subGone       uint8 = iota // pruned; the slot is dead
	subActive                  // published
	subRolledBack              // every key revoked
)

// subRec is one submission, 120 bytes with no pointers, stored in a column
// at its ordinal. The rare parts (a rollback reason, embargoed keys revoked
// before release, a second release seq) live in
// maps beside it.
type subRec struct {
	keySetHash  setHash16
	revHash     Hash
	id          shortID
	seq         uint64
	timeMs      int64
	rollbackSeq uint64
	// releaseSeq is the first seq at which embargoed keys of the
	// submission became public (0: none yet); further ones are in
	// State.moreReleases.
	releaseSeq uint64
	auth       uint32 // item number in State.auths
	provider   uint32 // provider number (Provider.num)
	inserted   uint8
	revoked    uint8
	state      uint8
}

// Authorization flags of authRec.flags.
const (
	authLive  uint8 = 1 << 0 // the slot holds an authorization (not pruned)
	authOnset uint8 = 1 << 1 // onsetDay is set
)

// authRec is one authorization (single-use code), 88 bytes with no
// pointers, stored in a column in issue order.
type authRec struct {
	codeHash  Hash
	id        shortID
	issuedMs  int64
	expiresMs int64
	onsetDay  int32
	sub       uint32 // ordinal of the submission that used it; 0 = unused
	provider  uint32
	rtype     uint8
	flags     uint8
}

// indexSeed keys the hash indexes of this process. Index layout is local
// and never replicated, so a random seed changes nothing observable; it
// only keeps crafted keys from piling into one probe run.
var indexSeed = maphash.MakeSeed()

func hashKeyData(d *[tek.KeyLen]byte) uint64 { return maphash.Bytes(indexSeed, d[:]) }

func hashHash(h *Hash) uint64 { return maphash.Bytes(indexSeed, h[:]) }

// hashIDString hashes an id as hashShortID hashes its stored form.
func hashIDString(s string) uint64 { return maphash.String(indexSeed, s) }

func hashShortID(id *shortID) uint64 { return maphash.Bytes(indexSeed, id[1:1+id[0]]) }

func (id *shortID) is(s string) bool { return int(id[0]) == len(s) && string(id[1:1+id[0]]) == s }
