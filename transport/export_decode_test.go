package transport

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"testing"

	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/encoding/protowire"
)

// This file decodes export files with protowire alone, from the published
// field numbers, so that the tests do not trust the generated code that
// wrote them.

// wireKey is a TemporaryExposureKey as read from the wire.
type wireKey struct {
	data       []byte
	risk       int32
	start      int32
	period     int32
	reportType int32
	onset      *int32
}

// wireInfo is a SignatureInfo as read from the wire.
type wireInfo struct{ version, id, algorithm string }

// wireExport is a TemporaryExposureKeyExport as read from the wire.
type wireExport struct {
	start, end          uint64
	region              string
	batchNum, batchSize int32
	infos               []wireInfo
	keys, revised       []wireKey
}

// wireSignature is a TEKSignature as read from the wire.
type wireSignature struct {
	info                wireInfo
	batchNum, batchSize int32
	signature           []byte
}

// wireFile is one decoded export zip.
type wireFile struct {
	bin    []byte // export.bin, header included
	export wireExport
	sigs   []wireSignature
}

// wireField is one field of a protobuf message.
type wireField struct {
	num protowire.Number
	typ protowire.Type
	v   uint64 // varint and fixed64 values
	b   []byte // length-delimited values
}

// wireFields splits a message into its fields.
func wireFields(t *testing.T, b []byte) []wireField {
	t.Helper()
	var out []wireField
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		f := wireField{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			f.v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			f.b, n = protowire.ConsumeBytes(b)
		default:
			t.Fatalf("field %d: unexpected wire type %d", num, typ)
		}
		if n < 0 {
			t.Fatalf("field %d: %v", num, protowire.ParseError(n))
		}
		b = b[n:]
		out = append(out, f)
	}
	return out
}

func wantType(t *testing.T, f wireField, typ protowire.Type) {
	t.Helper()
	if f.typ != typ {
		t.Fatalf("field %d has wire type %d, want %d", f.num, f.typ, typ)
	}
}

func decodeWireKey(t *testing.T, b []byte) wireKey {
	t.Helper()
	var k wireKey
	for _, f := range wireFields(t, b) {
		switch f.num {
		case 1:
			wantType(t, f, protowire.BytesType)
			k.data = f.b
		case 2, 3, 4, 5:
			wantType(t, f, protowire.VarintType)
			dst := map[protowire.Number]*int32{2: &k.risk, 3: &k.start, 4: &k.period, 5: &k.reportType}[f.num]
			*dst = int32(f.v)
		case 6:
			wantType(t, f, protowire.VarintType)
			v := int32(protowire.DecodeZigZag(f.v))
			k.onset = &v
		default:
			t.Fatalf("TemporaryExposureKey: unexpected field %d", f.num)
		}
	}
	return k
}

func decodeWireInfo(t *testing.T, b []byte) wireInfo {
	t.Helper()
	var i wireInfo
	for _, f := range wireFields(t, b) {
		wantType(t, f, protowire.BytesType)
		switch f.num {
		case 3:
			i.version = string(f.b)
		case 4:
			i.id = string(f.b)
		case 5:
			i.algorithm = string(f.b)
		default:
			t.Fatalf("SignatureInfo: unexpected field %d", f.num)
		}
	}
	return i
}

func decodeWireExport(t *testing.T, b []byte) wireExport {
	t.Helper()
	var e wireExport
	for _, f := range wireFields(t, b) {
		switch f.num {
		case 1, 2:
			wantType(t, f, protowire.Fixed64Type)
			if f.num == 1 {
				e.start = f.v
			} else {
				e.end = f.v
			}
		case 3:
			wantType(t, f, protowire.BytesType)
			e.region = string(f.b)
		case 4, 5:
			wantType(t, f, protowire.VarintType)
			if f.num == 4 {
				e.batchNum = int32(f.v)
			} else {
				e.batchSize = int32(f.v)
			}
		case 6:
			wantType(t, f, protowire.BytesType)
			e.infos = append(e.infos, decodeWireInfo(t, f.b))
		case 7, 8:
			wantType(t, f, protowire.BytesType)
			k := decodeWireKey(t, f.b)
			if f.num == 7 {
				e.keys = append(e.keys, k)
			} else {
				e.revised = append(e.revised, k)
			}
		default:
			t.Fatalf("TemporaryExposureKeyExport: unexpected field %d", f.num)
		}
	}
	return e
}

func decodeWireSignatures(t *testing.T, b []byte) []wireSignature {
	t.Helper()
	var out []wireSignature
	for _, f := range wireFields(t, b) {
		if f.num != 1 {
			t.Fatalf("TEKSignatureList: unexpected field %d", f.num)
		}
		wantType(t, f, protowire.BytesType)
		var s wireSignature
		for _, g := range wireFields(t, f.b) {
			switch g.num {
			case 1:
				wantType(t, g, protowire.BytesType)
				s.info = decodeWireInfo(t, g.b)
			case 2:
				wantType(t, g, protowire.VarintType)
				s.batchNum = int32(g.v)
			case 3:
				wantType(t, g, protowire.VarintType)
				s.batchSize = int32(g.v)
			case 4:
				wantType(t, g, protowire.BytesType)
				s.signature = g.b
			default:
				t.Fatalf("TEKSignature: unexpected field %d", g.num)
			}
		}
		out = append(out, s)
	}
	return out
}

// decodeExportZip opens an export zip: exactly export.bin then export.sig,
// export.bin starting with the 16-byte header.
func decodeExportZip(t *testing.T, file []byte) wireFile {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	if len(zr.File) != 2 || zr.File[0].Name != "export.bin" || zr.File[1].Name != "export.sig" {
		t.Fatalf("zip entries %v, want export.bin, export.sig", zr.File)
	}
	read := func(f *zip.File) []byte {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	bin, sig := read(zr.File[0]), read(zr.File[1])
	const header = "EK Export v1    "
	if !bytes.HasPrefix(bin, []byte(header)) {
		t.Fatalf("export.bin starts with %q, want %q", bin[:min(16, len(bin))], header)
	}
	return wireFile{bin: bin, export: decodeWireExport(t, bin[len(header):]), sigs: decodeWireSignatures(t, sig)}
}

// wantSigned checks the file's one signature: the same SignatureInfo as in
// export.bin, the right algorithm and batch, and a valid ECDSA signature by
// pub over SHA-256 of the whole export.bin.
func wantSigned(t *testing.T, f wireFile, pub *ecdsa.PublicKey, info wireInfo) {
	t.Helper()
	if len(f.export.infos) != 1 || f.export.infos[0] != info {
		t.Fatalf("export.bin signature infos %+v, want [%+v]", f.export.infos, info)
	}
	if len(f.sigs) != 1 {
		t.Fatalf("%d signatures, want 1", len(f.sigs))
	}
	s := f.sigs[0]
	if s.info != info || s.batchNum != f.export.batchNum || s.batchSize != f.export.batchSize {
		t.Fatalf("export.sig %+v does not match export.bin (%+v, batch %d/%d)", s, info, f.export.batchNum, f.export.batchSize)
	}
	digest := sha256.Sum256(f.bin)
	if !ecdsa.VerifyASN1(pub, digest[:], s.signature) {
		t.Fatalf("signature does not verify")
	}
}

// asKeyOut converts a decoded key to the API's JSON form.
func (k wireKey) asKeyOut() keyOut {
	o := keyOut{
		Key: base64.StdEncoding.EncodeToString(k.data), RollingStartNumber: uint32(k.start),
		RollingPeriod: uint8(k.period), TransmissionRisk: uint8(k.risk), ReportType: tek.ReportType(k.reportType).String(),
	}
	if k.onset != nil {
		d := int8(*k.onset)
		o.DaysSinceOnsetOfSymptoms = &d
	}
	return o
}
