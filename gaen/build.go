package gaen

import (
	"fmt"
	"math"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tekstore/tekstore/gaen/exportpb"
	"github.com/tekstore/tekstore/tek"
)

// Header is the 16-byte prefix of export.bin ("v1" followed by four spaces).
const Header = "EK Export v1    "

// Batch is the content of one export batch, typically the delta of one
// checkpoint. Build does not modify the slices.
type Batch struct {
	// Start and End bound the window the batch covers (whole UTC seconds are
	// used; anything finer is dropped). End must not be before Start.
	Start, End time.Time
	// Region is written to every file, e.g. an ISO country code.
	Region string
	// Keys are the published keys (report types unknown..recursive), in any order.
	Keys []tek.Key
	// Revoked are the keys withdrawn from the public set, in any order. They
	// are written as revised_keys with report type REVOKED.
	Revoked []tek.RevokedKey
}

// Build writes the batch as one or more signed export zips. Each file holds at
// most maxKeysPerFile entries (keys plus revised keys): keys first, sorted by
// key bytes, then the revoked keys, sorted the same way, with the split points
// falling wherever the limit says. File i (1-based) has batch_num i, the common
// batch_size, and end_timestamp End+i-1 seconds. An empty batch gives one valid
// file with no keys. The output depends only on the arguments: the same input
// gives byte-identical files on every node.
func Build(b Batch, s Signer, maxKeysPerFile int) ([][]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	start, end, err := b.window()
	if err != nil {
		return nil, err
	}
	if maxKeysPerFile < 1 {
		return nil, fmt.Errorf("%w: max keys per file %d, want at least 1", ErrInvalidBatch, maxKeysPerFile)
	}
	for i, k := range b.Keys {
		if err := validateKey(k); err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
	}
	for i, r := range b.Revoked {
		if err := validateRevoked(r); err != nil {
			return nil, fmt.Errorf("revoked key %d: %w", i, err)
		}
	}

	keys := slices.SortedFunc(slices.Values(b.Keys), tek.Compare)
	revoked := slices.SortedFunc(slices.Values(b.Revoked), tek.CompareRevoked)

	total := len(keys) + len(revoked)
	files := max(1, (total+maxKeysPerFile-1)/maxKeysPerFile)
	if files > math.MaxInt32 || end > math.MaxUint64-uint64(files) {
		return nil, fmt.Errorf("%w: %d files do not fit the export format", ErrInvalidBatch, files)
	}

	out := make([][]byte, 0, files)
	for i := range files {
		lo, hi := i*maxKeysPerFile, min((i+1)*maxKeysPerFile, total)
		// Entries lo..hi index the concatenation keys ++ revoked.
		k := keys[min(lo, len(keys)):min(hi, len(keys))]
		r := revoked[max(lo, len(keys))-len(keys) : max(hi, len(keys))-len(keys)]
		export := &exportpb.TemporaryExposureKeyExport{
			StartTimestamp: ptr(start),
			EndTimestamp:   ptr(end + uint64(i)),
			Region:         ptr(b.Region),
			BatchNum:       ptr(int32(i + 1)),
			BatchSize:      ptr(int32(files)),
			SignatureInfos: []*exportpb.SignatureInfo{s.info()},
			Keys:           make([]*exportpb.TemporaryExposureKey, 0, len(k)),
			RevisedKeys:    make([]*exportpb.TemporaryExposureKey, 0, len(r)),
		}
		for _, key := range k {
			export.Keys = append(export.Keys, keyProto(key))
		}
		for _, rk := range r {
			export.RevisedKeys = append(export.RevisedKeys, revokedProto(rk))
		}
		file, err := buildFile(export, s)
		if err != nil {
			return nil, fmt.Errorf("export file %d of %d: %w", i+1, files, err)
		}
		out = append(out, file)
	}
	return out, nil
}

// window returns the batch window in UTC seconds.
func (b Batch) window() (start, end uint64, err error) {
	s, e := b.Start.Unix(), b.End.Unix()
	switch {
	case b.Start.IsZero() || b.End.IsZero():
		return 0, 0, fmt.Errorf("%w: start and end must be set", ErrInvalidBatch)
	case s < 0:
		return 0, 0, fmt.Errorf("%w: start %s before 1970", ErrInvalidBatch, b.Start.UTC().Format(time.RFC3339))
	case e < s:
		return 0, 0, fmt.Errorf("%w: end %s before start %s", ErrInvalidBatch,
			b.End.UTC().Format(time.RFC3339), b.Start.UTC().Format(time.RFC3339))
	}
	return uint64(s), uint64(e), nil
}

// buildFile marshals, signs and zips one export message.
func buildFile(export *exportpb.TemporaryExposureKeyExport, s Signer) ([]byte, error) {
	body, err := proto.MarshalOptions{Deterministic: true}.Marshal(export)
	if err != nil {
		return nil, fmt.Errorf("marshal export: %w", err)
	}
	bin := make([]byte, 0, len(Header)+len(body))
	bin = append(append(bin, Header...), body...)

	sig, err := s.sign(bin)
	if err != nil {
		return nil, err
	}
	list := &exportpb.TEKSignatureList{Signatures: []*exportpb.TEKSignature{{
		SignatureInfo: s.info(),
		BatchNum:      export.BatchNum,
		BatchSize:     export.BatchSize,
		Signature:     sig,
	}}}
	sigBytes, err := proto.MarshalOptions{Deterministic: true}.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("marshal signature list: %w", err)
	}
	modified := time.Unix(int64(export.GetEndTimestamp()), 0).UTC()
	return writeZip(modified, bin, sigBytes)
}
