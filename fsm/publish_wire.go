package fsm

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// An upload is encoded once, by the node that received it: the bytes of
// its fsmpb.PublishItem travel unchanged through the batcher, the forward
// to the leader and the Raft log, and Apply reads them without building
// protobuf messages. A Publish payload is the concatenation of its items,
// each as field 1 of fsmpb.Publish; the bytes are those proto.Marshal
// gives (deterministic, fields in number order, zero values left out).

// Field numbers of fsmpb.Publish, fsmpb.PublishItem and fsmpb.Key.
const (
	wirePublishItems = 1

	wireItemCodeHash = 1
	wireItemID       = 2
	wireItemRevHash  = 3
	wireItemKey      = 4

	wireKeyData     = 1
	wireKeyStart    = 2
	wireKeyPeriod   = 3
	wireKeyRisk     = 4
	wireKeyHasOnset = 5
	wireKeyOnset    = 6
	wireKeyType     = 7
)

// AppendPublishItem appends the encoding of one upload (an fsmpb.PublishItem)
// to b.
func AppendPublishItem(b []byte, codeHash, revHash Hash, submissionID string, keys []tek.Key) []byte {
	b = slices.Grow(b, publishItemLen(submissionID, keys))
	b = protowire.AppendTag(b, wireItemCodeHash, protowire.BytesType)
	b = protowire.AppendBytes(b, codeHash[:])
	if submissionID != "" {
		b = protowire.AppendTag(b, wireItemID, protowire.BytesType)
		b = protowire.AppendString(b, submissionID)
	}
	b = protowire.AppendTag(b, wireItemRevHash, protowire.BytesType)
	b = protowire.AppendBytes(b, revHash[:])
	for _, k := range keys {
		b = protowire.AppendTag(b, wireItemKey, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(keyWireLen(k)))
		b = appendKeyWire(b, k)
	}
	return b
}

// publishItemLen is the length of AppendPublishItem's encoding.
func publishItemLen(submissionID string, keys []tek.Key) int {
	n := 2 * (1 + protowire.SizeBytes(len(Hash{})))
	if submissionID != "" {
		n += 1 + protowire.SizeBytes(len(submissionID))
	}
	for _, k := range keys {
		n += 1 + protowire.SizeBytes(keyWireLen(k))
	}
	return n
}

// AppendPublishEntry appends one encoded upload (from AppendPublishItem) to
// a Publish payload.
func AppendPublishEntry(payload, item []byte) []byte {
	payload = protowire.AppendTag(payload, wirePublishItems, protowire.BytesType)
	return protowire.AppendBytes(payload, item)
}

// SplitPublishPayload returns the encoded uploads of a Publish payload
// (windows of payload, not copies) after checking that each decodes as
// Apply will decode it. The leader calls it on a batch forwarded by a
// follower before adding the uploads to its own batches: an entry Apply
// cannot decode would stop every node at that entry.
func SplitPublishPayload(payload []byte) ([][]byte, error) {
	var items [][]byte
	var keys []tek.Key // scratch for the checks, reused
	for rest := payload; len(rest) > 0; {
		item, n := consumeField(rest, wirePublishItems)
		if n < 0 {
			return nil, fmt.Errorf("%w: publish payload is not a list of items", ErrBadCommand)
		}
		if _, ok := decodeItemFast(item, &keys); !ok {
			// Not in canonical form: Apply reads the batch with the
			// generated code, which must accept this item.
			if err := proto.Unmarshal(item, &fsmpb.PublishItem{}); err != nil {
				return nil, fmt.Errorf("%w: publish item %d: %v", ErrBadCommand, len(items), err)
			}
		}
		keys = keys[:0]
		items = append(items, item)
		rest = rest[n:]
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%w: empty publish", ErrBadCommand)
	}
	return items, nil
}

func keyWireLen(k tek.Key) int {
	n := 1 + 1 + tek.KeyLen
	n += varintField(uint64(k.RollingStart))
	n += varintField(uint64(k.RollingPeriod))
	n += varintField(uint64(k.TransmissionRisk))
	if k.HasOnset {
		n += 2
	}
	n += varintField(protowire.EncodeZigZag(int64(k.DaysSinceOnset)))
	n += varintField(uint64(k.ReportType))
	return n
}

// varintField is the size of a varint field with a one-byte tag, 0 for a
// zero value (left out).
func varintField(v uint64) int {
	if v == 0 {
		return 0
	}
	return 1 + protowire.SizeVarint(v)
}

func appendKeyWire(b []byte, k tek.Key) []byte {
	b = protowire.AppendTag(b, wireKeyData, protowire.BytesType)
	b = protowire.AppendBytes(b, k.Data[:])
	b = appendVarintField(b, wireKeyStart, uint64(k.RollingStart))
	b = appendVarintField(b, wireKeyPeriod, uint64(k.RollingPeriod))
	b = appendVarintField(b, wireKeyRisk, uint64(k.TransmissionRisk))
	if k.HasOnset {
		b = appendVarintField(b, wireKeyHasOnset, 1)
	}
	b = appendVarintField(b, wireKeyOnset, protowire.EncodeZigZag(int64(k.DaysSinceOnset)))
	return appendVarintField(b, wireKeyType, uint64(k.ReportType))
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// publishBatch is a decoded Publish payload. Every item's keys are a
// window of one shared slice.
type publishBatch struct {
	items []publishInput
}

// publishInput is one decoded upload, with its keys converted but not yet
// checked against the rules of spec §3. err is set when the upload cannot
// be applied as it is logged (a field a Go value cannot hold); it refuses
// only this upload.
type publishInput struct {
	codeHash, revHash []byte
	submissionID      string
	keys              []tek.Key
	err               error
}

// decodePublishPayload decodes a Publish payload. Payloads in the form
// AppendPublishItem writes (and proto.Marshal, which gives the same bytes)
// are read directly; anything else (unknown fields, repeated scalar
// fields, other wire types) goes through proto.Unmarshal, so that the
// result is always what the generated code would give.
func decodePublishPayload(payload []byte) (*publishBatch, error) {
	if b, ok := decodePublishFast(payload); ok {
		return b, nil
	}
	return decodePublishGeneric(payload)
}

// decodePublishGeneric decodes a Publish payload with the generated code.
func decodePublishGeneric(payload []byte) (*publishBatch, error) {
	msg := &fsmpb.Publish{}
	if err := proto.Unmarshal(payload, msg); err != nil {
		return nil, err
	}
	b := &publishBatch{items: make([]publishInput, len(msg.Items))}
	for i, it := range msg.Items {
		in := &b.items[i]
		in.codeHash, in.revHash, in.submissionID = it.CodeHash, it.RevisionTokenHash, it.SubmissionId
		in.keys, in.err = keysFromPB(it.Keys)
	}
	return b, nil
}

// decodePublishFast reads a payload in canonical form; ok is false for
// anything else (the caller falls back to proto.Unmarshal).
func decodePublishFast(payload []byte) (*publishBatch, bool) {
	items, keys := 0, 0
	for rest := payload; len(rest) > 0; {
		item, n := consumeField(rest, wirePublishItems)
		if n < 0 {
			return nil, false
		}
		items++
		keys += len(item) / (tek.KeyLen + 4) // an upper bound: a key is at least 20 bytes on the wire
		rest = rest[n:]
	}
	b := &publishBatch{items: make([]publishInput, 0, items)}
	all := make([]tek.Key, 0, keys)
	for rest := payload; len(rest) > 0; {
		item, n := consumeField(rest, wirePublishItems)
		rest = rest[n:]
		in, ok := decodeItemFast(item, &all)
		if !ok {
			return nil, false
		}
		b.items = append(b.items, in)
	}
	return b, true
}

// decodeItemFast reads one PublishItem, appending its keys to *all.
func decodeItemFast(b []byte, all *[]tek.Key) (publishInput, bool) {
	var in publishInput
	first := len(*all)
	var seen [wireItemRevHash + 1]bool
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || typ != protowire.BytesType || num < wireItemCodeHash || num > wireItemKey {
			return in, false
		}
		v, m := protowire.ConsumeBytes(b[n:])
		if m < 0 {
			return in, false
		}
		b = b[n+m:]
		if num == wireItemKey {
			k, ok := decodeKeyFast(v)
			if !ok {
				return in, false
			}
			*all = append(*all, k)
			continue
		}
		if seen[num] {
			return in, false
		}
		seen[num] = true
		switch num {
		case wireItemCodeHash:
			in.codeHash = v
		case wireItemID:
			if !utf8.Valid(v) {
				return in, false
			}
			in.submissionID = string(v)
		case wireItemRevHash:
			in.revHash = v
		}
	}
	in.keys = (*all)[first:len(*all):len(*all)]
	return in, true
}

// decodeKeyFast reads one Key message whose fields all fit their Go type;
// any other key goes the generic way (which gives keyFromPB's error).
func decodeKeyFast(b []byte) (tek.Key, bool) {
	var k tek.Key
	var seen [wireKeyType + 1]bool
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num < wireKeyData || num > wireKeyType || seen[num] {
			return k, false
		}
		seen[num] = true
		b = b[n:]
		if num == wireKeyData {
			v, m := protowire.ConsumeBytes(b)
			if typ != protowire.BytesType || m < 0 || len(v) != tek.KeyLen {
				return k, false
			}
			copy(k.Data[:], v)
			b = b[m:]
			continue
		}
		v, m := protowire.ConsumeVarint(b)
		if typ != protowire.VarintType || m < 0 {
			return k, false
		}
		b = b[m:]
		switch num {
		case wireKeyStart:
			if v > 1<<32-1 {
				return k, false
			}
			k.RollingStart = uint32(v)
		case wireKeyPeriod:
			if v > 255 {
				return k, false
			}
			k.RollingPeriod = uint8(v)
		case wireKeyRisk:
			if v > 255 {
				return k, false
			}
			k.TransmissionRisk = uint8(v)
		case wireKeyHasOnset:
			k.HasOnset = v != 0
		case wireKeyOnset:
			d := protowire.DecodeZigZag(v)
			if v > 1<<32-1 || d < -128 || d > 127 {
				return k, false
			}
			k.DaysSinceOnset = int8(d)
		case wireKeyType:
			if v > 255 {
				return k, false
			}
			k.ReportType = tek.ReportType(v)
		}
	}
	if !seen[wireKeyData] {
		return k, false
	}
	return k, true
}

// consumeField reads one length-delimited field numbered num from b: its
// value and the bytes consumed, or n < 0 when b does not start with one.
func consumeField(b []byte, num protowire.Number) (v []byte, n int) {
	got, typ, n := protowire.ConsumeTag(b)
	if n < 0 || got != num || typ != protowire.BytesType {
		return nil, -1
	}
	v, m := protowire.ConsumeBytes(b[n:])
	if m < 0 {
		return nil, -1
	}
	return v, n + m
}
