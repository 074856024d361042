package gaen

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	s := testSigner(t)
	keys := randomKeys(20, 5)
	files, err := Build(Batch{Start: testStart, End: testEnd, Region: "NL", Keys: keys, Revoked: randomRevoked(21, 2)}, s, 100)
	if err != nil {
		t.Fatal(err)
	}
	file := files[0]
	bin, sig := unzipExport(t, file)

	export, err := Verify(file, &s.Key.PublicKey)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got, want := len(export.GetKeys()), len(keys); got != want {
		t.Errorf("Verify decoded %d keys, want %d", got, want)
	}
	if got := export.GetRevisedKeys()[0].GetReportType().String(); got != "REVOKED" {
		t.Errorf("revised key report type %s, want REVOKED", got)
	}

	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(bin)
	tampered[len(tampered)-1] ^= 1
	badHeader := bytes.Clone(bin)
	badHeader[0] = 'X'

	tests := []struct {
		name string
		file []byte
		pub  *ecdsa.PublicKey
		want error
	}{
		{"other public key", file, &otherKey.PublicKey, ErrBadSignature},
		{"tampered export.bin", zipEntries(t, "export.bin", tampered, "export.sig", sig), &s.Key.PublicKey, ErrBadSignature},
		{"bad header", zipEntries(t, "export.bin", badHeader, "export.sig", sig), &s.Key.PublicKey, ErrMalformedExport},
		{"missing export.sig", zipEntries(t, "export.bin", bin), &s.Key.PublicKey, ErrMalformedExport},
		{"extra entry", zipEntries(t, "export.bin", bin, "export.sig", sig, "x", nil), &s.Key.PublicKey, ErrMalformedExport},
		{"renamed entry", zipEntries(t, "export.bin", bin, "export.sg", sig), &s.Key.PublicKey, ErrMalformedExport},
		{"not a zip", []byte("not a zip"), &s.Key.PublicKey, ErrMalformedExport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Verify(tt.file, tt.pub)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Error("Verify returned an export with an error")
			}
		})
	}
}

// zipEntries builds a zip from name, content pairs.
func zipEntries(t *testing.T, pairs ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(pairs); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: pairs[i].(string), Method: zip.Store, Modified: time.Unix(0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := pairs[i+1].([]byte)
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
