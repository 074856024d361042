package gaen

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"io"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/tekstore/tekstore/tek"
)

var (
	testStart = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	testEnd   = testStart.Add(15 * time.Minute)
)

func testSigner(t *testing.T) Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Signer{Key: key, KeyID: "204", KeyVersion: "v1"}
}

// randomKeys returns n keys with varied, valid fields from a seeded source.
func randomKeys(seed uint64, n int) []tek.Key {
	rng := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	keys := make([]tek.Key, n)
	for i := range keys {
		k := &keys[i]
		for j := range k.Data {
			k.Data[j] = byte(rng.Uint32())
		}
		k.RollingStart = 2_960_000 + uint32(rng.IntN(14*tek.IntervalsPerDay))
		k.RollingPeriod = uint8(1 + rng.IntN(tek.MaxRollingPeriod))
		k.TransmissionRisk = uint8(rng.IntN(maxTransmissionRisk + 1))
		k.ReportType = tek.ReportType(rng.IntN(int(tek.ReportRecursive) + 1))
		if rng.IntN(3) > 0 {
			k.HasOnset = true
			k.DaysSinceOnset = int8(rng.IntN(2*maxOnsetDays+1) - maxOnsetDays)
		}
	}
	return keys
}

func randomRevoked(seed uint64, n int) []tek.RevokedKey {
	out := make([]tek.RevokedKey, n)
	for i, k := range randomKeys(seed, n) {
		out[i] = tek.RevokedKey{Data: k.Data, RollingStart: k.RollingStart}
	}
	return out
}

// unzipExport returns the entry names in order and the two entries' contents,
// failing on anything but a stored export.bin followed by export.sig.
func unzipExport(t *testing.T, file []byte) (bin, sig []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	if got := len(zr.File); got != 2 {
		t.Fatalf("zip has %d entries, want 2", got)
	}
	var contents [2][]byte
	for i, want := range []string{"export.bin", "export.sig"} {
		f := zr.File[i]
		if f.Name != want {
			t.Fatalf("entry %d is %q, want %q", i, f.Name, want)
		}
		if f.Method != zip.Store {
			t.Errorf("%s: zip method %d, want stored (%d)", want, f.Method, zip.Store)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		contents[i], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", want, err)
		}
	}
	return contents[0], contents[1]
}

// decodedFile is one export file decoded with the independent decoder.
type decodedFile struct {
	bin    []byte
	export wireExport
	sigs   []wireSignature
}

func decodeFile(t *testing.T, file []byte) decodedFile {
	t.Helper()
	bin, sig := unzipExport(t, file)
	if !bytes.HasPrefix(bin, []byte("EK Export v1    ")) {
		t.Fatalf("export.bin starts with %q, want the 16-byte header", bin[:min(16, len(bin))])
	}
	export, err := decodeWireExport(bin[16:])
	if err != nil {
		t.Fatalf("decode export.bin: %v", err)
	}
	sigs, err := decodeWireSignatures(sig)
	if err != nil {
		t.Fatalf("decode export.sig: %v", err)
	}
	return decodedFile{bin: bin, export: export, sigs: sigs}
}

// checkSigned checks the signature info in both files and the signature.
func checkSigned(t *testing.T, d decodedFile, s Signer) {
	t.Helper()
	wantInfo := wireInfo{keyVersion: s.KeyVersion, keyID: s.KeyID, algorithm: "1.2.840.10045.4.3.2"}
	if len(d.export.infos) != 1 || d.export.infos[0] != wantInfo {
		t.Errorf("export.bin signature_infos = %+v, want [%+v]", d.export.infos, wantInfo)
	}
	if len(d.sigs) != 1 {
		t.Fatalf("export.sig has %d signatures, want 1", len(d.sigs))
	}
	sig := d.sigs[0]
	if !sig.hasInfo || sig.info != wantInfo {
		t.Errorf("export.sig signature_info = %+v, want %+v", sig.info, wantInfo)
	}
	if sig.batchNum != d.export.batchNum || sig.batchSize != d.export.batchSize {
		t.Errorf("export.sig batch %d/%d, export.bin batch %d/%d",
			sig.batchNum, sig.batchSize, d.export.batchNum, d.export.batchSize)
	}
	digest := sha256.Sum256(d.bin)
	if !ecdsa.VerifyASN1(&s.Key.PublicKey, digest[:], sig.signature) {
		t.Error("signature does not verify over sha256(export.bin)")
	}
	payloadOnly := sha256.Sum256(d.bin[16:])
	if ecdsa.VerifyASN1(&s.Key.PublicKey, payloadOnly[:], sig.signature) {
		t.Error("signature verifies over the payload without header; it must cover the header")
	}
}

// wantWireKey is what the file must hold for a published key.
func wantWireKey(k tek.Key) wireKey {
	w := wireKey{
		data: string(k.Data[:]), risk: int32(k.TransmissionRisk), start: int32(k.RollingStart),
		period: int32(k.RollingPeriod), reportType: int32(k.ReportType),
		hasRisk: true, hasStart: true, hasPeriod: true, hasReportType: true,
	}
	if k.HasOnset {
		w.hasOnset, w.onset = true, int32(k.DaysSinceOnset)
	}
	return w
}

// wantWireRevoked is what the file must hold for a revoked key.
func wantWireRevoked(r tek.RevokedKey) wireKey {
	return wireKey{
		data: string(r.Data[:]), start: int32(r.RollingStart), period: tek.MaxRollingPeriod,
		reportType: 5, hasRisk: true, hasStart: true, hasPeriod: true, hasReportType: true,
	}
}
