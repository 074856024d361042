package gaen

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file is an independent decoder of the export format, written against
// the published field numbers with protowire only, so that the tests do not
// trust the generated exportpb types they are checking.

type wireInfo struct {
	keyVersion, keyID, algorithm string
}

type wireKey struct {
	data                     string
	risk, start, period      int32
	hasRisk, hasStart        bool
	hasPeriod, hasReportType bool
	reportType               int32
	hasOnset                 bool
	onset                    int32
}

type wireExport struct {
	start, end          uint64
	region              string
	batchNum, batchSize int32
	infos               []wireInfo
	keys, revised       []wireKey
	seen                map[protowire.Number]bool
}

type wireSignature struct {
	info                wireInfo
	hasInfo             bool
	batchNum, batchSize int32
	signature           []byte
}

// wireField is one decoded field: its number, type and raw value.
type wireField struct {
	num protowire.Number
	typ protowire.Type
	v   uint64 // varint and fixed values
	b   []byte // bytes values
}

// wireFields splits a message into its fields, rejecting anything malformed.
func wireFields(msg []byte) ([]wireField, error) {
	var out []wireField
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return nil, fmt.Errorf("tag: %w", protowire.ParseError(n))
		}
		msg = msg[n:]
		f := wireField{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.v, n = protowire.ConsumeVarint(msg)
		case protowire.Fixed64Type:
			f.v, n = protowire.ConsumeFixed64(msg)
		case protowire.BytesType:
			f.b, n = protowire.ConsumeBytes(msg)
		default:
			return nil, fmt.Errorf("field %d: unexpected wire type %d", num, typ)
		}
		if n < 0 {
			return nil, fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		msg = msg[n:]
		out = append(out, f)
	}
	return out, nil
}

// want checks a field's wire type.
func (f wireField) want(t protowire.Type) error {
	if f.typ != t {
		return fmt.Errorf("field %d: wire type %d, want %d", f.num, f.typ, t)
	}
	return nil
}

func decodeWireExport(msg []byte) (wireExport, error) {
	var e wireExport
	e.seen = map[protowire.Number]bool{}
	fields, err := wireFields(msg)
	if err != nil {
		return e, err
	}
	for _, f := range fields {
		e.seen[f.num] = true
		var err error
		switch f.num {
		case 1:
			err = f.want(protowire.Fixed64Type)
			e.start = f.v
		case 2:
			err = f.want(protowire.Fixed64Type)
			e.end = f.v
		case 3:
			err = f.want(protowire.BytesType)
			e.region = string(f.b)
		case 4:
			err = f.want(protowire.VarintType)
			e.batchNum = int32(f.v)
		case 5:
			err = f.want(protowire.VarintType)
			e.batchSize = int32(f.v)
		case 6:
			if err = f.want(protowire.BytesType); err == nil {
				var info wireInfo
				info, err = decodeWireInfo(f.b)
				e.infos = append(e.infos, info)
			}
		case 7, 8:
			if err = f.want(protowire.BytesType); err == nil {
				var k wireKey
				k, err = decodeWireKey(f.b)
				if f.num == 7 {
					e.keys = append(e.keys, k)
				} else {
					e.revised = append(e.revised, k)
				}
			}
		default:
			err = fmt.Errorf("unknown export field %d", f.num)
		}
		if err != nil {
			return e, err
		}
	}
	return e, nil
}

func decodeWireInfo(msg []byte) (wireInfo, error) {
	var i wireInfo
	fields, err := wireFields(msg)
	if err != nil {
		return i, err
	}
	for _, f := range fields {
		if err := f.want(protowire.BytesType); err != nil {
			return i, err
		}
		switch f.num {
		case 3:
			i.keyVersion = string(f.b)
		case 4:
			i.keyID = string(f.b)
		case 5:
			i.algorithm = string(f.b)
		default:
			return i, fmt.Errorf("unexpected SignatureInfo field %d", f.num)
		}
	}
	return i, nil
}

func decodeWireKey(msg []byte) (wireKey, error) {
	var k wireKey
	fields, err := wireFields(msg)
	if err != nil {
		return k, err
	}
	for _, f := range fields {
		want := protowire.VarintType
		if f.num == 1 {
			want = protowire.BytesType
		}
		if err := f.want(want); err != nil {
			return k, err
		}
		switch f.num {
		case 1:
			k.data = string(f.b)
		case 2:
			k.risk, k.hasRisk = int32(f.v), true
		case 3:
			k.start, k.hasStart = int32(f.v), true
		case 4:
			k.period, k.hasPeriod = int32(f.v), true
		case 5:
			k.reportType, k.hasReportType = int32(f.v), true
		case 6:
			k.onset, k.hasOnset = int32(protowire.DecodeZigZag(f.v)), true
		default:
			return k, fmt.Errorf("unexpected TemporaryExposureKey field %d", f.num)
		}
	}
	return k, nil
}

func decodeWireSignatures(msg []byte) ([]wireSignature, error) {
	fields, err := wireFields(msg)
	if err != nil {
		return nil, err
	}
	var out []wireSignature
	for _, f := range fields {
		if f.num != 1 {
			return nil, fmt.Errorf("unexpected TEKSignatureList field %d", f.num)
		}
		if err := f.want(protowire.BytesType); err != nil {
			return nil, err
		}
		inner, err := wireFields(f.b)
		if err != nil {
			return nil, err
		}
		var s wireSignature
		for _, g := range inner {
			var err error
			switch g.num {
			case 1:
				if err = g.want(protowire.BytesType); err == nil {
					s.info, err = decodeWireInfo(g.b)
					s.hasInfo = true
				}
			case 2:
				err = g.want(protowire.VarintType)
				s.batchNum = int32(g.v)
			case 3:
				err = g.want(protowire.VarintType)
				s.batchSize = int32(g.v)
			case 4:
				err = g.want(protowire.BytesType)
				s.signature = g.b
			default:
				err = fmt.Errorf("unexpected TEKSignature field %d", g.num)
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// String formats the key with its bytes in hex, for test failure messages.
func (k wireKey) String() string {
	return fmt.Sprintf("{data:%x risk:%d/%t start:%d/%t period:%d/%t type:%d/%t onset:%d/%t}",
		k.data, k.risk, k.hasRisk, k.start, k.hasStart, k.period, k.hasPeriod,
		k.reportType, k.hasReportType, k.onset, k.hasOnset)
}
