package gaen

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/tekstore/tekstore/tek"
)

func TestBuildWritesEveryField(t *testing.T) {
	s := testSigner(t)
	keys := append(randomKeys(1, 40), []tek.Key{
		{Data: [16]byte{0xff}, RollingStart: 2_960_064, RollingPeriod: 144, TransmissionRisk: 8,
			ReportType: tek.ReportRecursive, HasOnset: true, DaysSinceOnset: -14},
		{Data: [16]byte{0x00}, RollingStart: 2_960_208, RollingPeriod: 1, TransmissionRisk: 0,
			ReportType: tek.ReportUnknown, HasOnset: true, DaysSinceOnset: 14},
		{Data: [16]byte{0x80}, RollingStart: 2_960_352, RollingPeriod: 72, TransmissionRisk: 3,
			ReportType: tek.ReportClinical, HasOnset: true, DaysSinceOnset: 0},
		{Data: [16]byte{0x7f}, RollingStart: 2_960_496, RollingPeriod: 144, TransmissionRisk: 5,
			ReportType: tek.ReportSelf},
	}...)
	revoked := randomRevoked(2, 7)
	b := Batch{Start: testStart, End: testEnd, Region: "NL", Keys: keys, Revoked: revoked}

	files, err := Build(b, s, 1000)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if len(files) != 1 {
		t.Fatalf("Build gave %d files, want 1", len(files))
	}
	d := decodeFile(t, files[0])
	e := d.export

	if got, want := e.start, uint64(testStart.Unix()); got != want {
		t.Errorf("start_timestamp = %d, want %d", got, want)
	}
	if got, want := e.end, uint64(testEnd.Unix()); got != want {
		t.Errorf("end_timestamp = %d, want %d", got, want)
	}
	if got, want := e.region, "NL"; got != want {
		t.Errorf("region = %q, want %q", got, want)
	}
	if e.batchNum != 1 || e.batchSize != 1 {
		t.Errorf("batch = %d/%d, want 1/1", e.batchNum, e.batchSize)
	}
	checkSigned(t, d, s)
	checkZipTimes(t, files[0], testEnd)

	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, func(a, b tek.Key) int { return bytes.Compare(a.Data[:], b.Data[:]) })
	if len(e.keys) != len(sorted) {
		t.Fatalf("%d keys, want %d", len(e.keys), len(sorted))
	}
	for i, k := range sorted {
		if got, want := e.keys[i], wantWireKey(k); got != want {
			t.Errorf("key %d = %+v, want %+v", i, got, want)
		}
	}

	sortedRevoked := slices.Clone(revoked)
	slices.SortFunc(sortedRevoked, func(a, b tek.RevokedKey) int { return bytes.Compare(a.Data[:], b.Data[:]) })
	if len(e.revised) != len(sortedRevoked) {
		t.Fatalf("%d revised keys, want %d", len(e.revised), len(sortedRevoked))
	}
	for i, r := range sortedRevoked {
		if got, want := e.revised[i], wantWireRevoked(r); got != want {
			t.Errorf("revised key %d = %+v, want %+v", i, got, want)
		}
	}

	if keys[len(keys)-1].Data != [16]byte{0x7f} {
		t.Error("Build reordered the caller's slice")
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	s := testSigner(t)
	keys := randomKeys(3, 300)
	revoked := randomRevoked(4, 20)
	// Same key bytes twice with different metadata: the order must still be fixed.
	dup := keys[0]
	dup.TransmissionRisk = (dup.TransmissionRisk + 1) % (maxTransmissionRisk + 1)
	keys = append(keys, dup)
	b := Batch{Start: testStart, End: testEnd, Region: "NL", Keys: keys, Revoked: revoked}

	first, err := Build(b, s, 128)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	shuffled := b
	shuffled.Keys = slices.Clone(keys)
	shuffled.Revoked = slices.Clone(revoked)
	rng := mrand.New(mrand.NewPCG(5, 6))
	rng.Shuffle(len(shuffled.Keys), func(i, j int) { shuffled.Keys[i], shuffled.Keys[j] = shuffled.Keys[j], shuffled.Keys[i] })
	rng.Shuffle(len(shuffled.Revoked), func(i, j int) {
		shuffled.Revoked[i], shuffled.Revoked[j] = shuffled.Revoked[j], shuffled.Revoked[i]
	})

	for name, in := range map[string]Batch{"same input": b, "shuffled input": shuffled} {
		again, err := Build(in, s, 128)
		if err != nil {
			t.Fatalf("%s: Build: %v", name, err)
		}
		if len(again) != len(first) {
			t.Fatalf("%s: %d files, first build gave %d", name, len(again), len(first))
		}
		for i := range first {
			if !bytes.Equal(first[i], again[i]) {
				t.Errorf("%s: file %d differs between builds", name, i+1)
			}
		}
	}
}

func TestSignIsDeterministic(t *testing.T) {
	s := testSigner(t)
	msg := []byte("EK Export v1    payload")
	a, err := s.sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two signatures of the same data differ; signing is not deterministic")
	}
	c, err := s.sign(append(msg, '!'))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("signatures of different data are equal")
	}
}

func TestBuildSplit(t *testing.T) {
	s := testSigner(t)
	tests := []struct {
		keys, revoked, max, wantFiles int
	}{
		{keys: 10, revoked: 0, max: 10, wantFiles: 1},
		{keys: 11, revoked: 0, max: 10, wantFiles: 2},
		{keys: 25, revoked: 7, max: 10, wantFiles: 4},
		{keys: 3, revoked: 30, max: 7, wantFiles: 5},
		{keys: 0, revoked: 5, max: 2, wantFiles: 3},
		{keys: 9, revoked: 1, max: 1, wantFiles: 10},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dkeys_%drevoked_max%d", tt.keys, tt.revoked, tt.max), func(t *testing.T) {
			keys := randomKeys(uint64(tt.keys)*7+1, tt.keys)
			revoked := randomRevoked(uint64(tt.revoked)*11+2, tt.revoked)
			files, err := Build(Batch{Start: testStart, End: testEnd, Region: "NL", Keys: keys, Revoked: revoked}, s, tt.max)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if len(files) != tt.wantFiles {
				t.Fatalf("%d files, want %d", len(files), tt.wantFiles)
			}
			type triple struct {
				start, end uint64
				num        int32
			}
			seen := map[triple]bool{}
			var gotKeys, gotRevised []wireKey
			for i, f := range files {
				d := decodeFile(t, f)
				e := d.export
				checkSigned(t, d, s)
				tr := triple{e.start, e.end, e.batchNum}
				if seen[tr] {
					t.Errorf("file %d repeats (start, end, batch_num) %+v", i+1, tr)
				}
				seen[tr] = true
				if e.batchNum != int32(i+1) || e.batchSize != int32(len(files)) {
					t.Errorf("file %d: batch %d/%d, want %d/%d", i+1, e.batchNum, e.batchSize, i+1, len(files))
				}
				if got, want := e.end, uint64(testEnd.Unix())+uint64(i); got != want {
					t.Errorf("file %d: end_timestamp %d, want %d", i+1, got, want)
				}
				if got, want := e.start, uint64(testStart.Unix()); got != want {
					t.Errorf("file %d: start_timestamp %d, want %d", i+1, got, want)
				}
				if n := len(e.keys) + len(e.revised); n > tt.max || n == 0 {
					t.Errorf("file %d holds %d entries, want 1..%d", i+1, n, tt.max)
				}
				if len(gotRevised) > 0 && len(e.keys) > 0 {
					t.Errorf("file %d has keys after revised keys in an earlier file", i+1)
				}
				gotKeys = append(gotKeys, e.keys...)
				gotRevised = append(gotRevised, e.revised...)
			}

			// Every key exactly once, and sorted across the whole split.
			slices.SortFunc(keys, func(a, b tek.Key) int { return bytes.Compare(a.Data[:], b.Data[:]) })
			slices.SortFunc(revoked, func(a, b tek.RevokedKey) int { return bytes.Compare(a.Data[:], b.Data[:]) })
			if len(gotKeys) != len(keys) || len(gotRevised) != len(revoked) {
				t.Fatalf("got %d keys + %d revised, want %d + %d", len(gotKeys), len(gotRevised), len(keys), len(revoked))
			}
			for i, k := range keys {
				if gotKeys[i] != wantWireKey(k) {
					t.Errorf("key %d across files = %+v, want %+v", i, gotKeys[i], wantWireKey(k))
				}
			}
			for i, r := range revoked {
				if gotRevised[i] != wantWireRevoked(r) {
					t.Errorf("revised key %d across files = %+v, want %+v", i, gotRevised[i], wantWireRevoked(r))
				}
			}
		})
	}
}

func TestBuildEmptyBatch(t *testing.T) {
	s := testSigner(t)
	tests := []struct {
		name    string
		revoked []tek.RevokedKey
	}{
		{name: "nothing"},
		{name: "only revocations", revoked: randomRevoked(9, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Build(Batch{Start: testStart, End: testStart, Region: "NL", Revoked: tt.revoked}, s, 10)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if len(files) != 1 {
				t.Fatalf("%d files, want 1", len(files))
			}
			d := decodeFile(t, files[0])
			checkSigned(t, d, s)
			if len(d.export.keys) != 0 || len(d.export.revised) != len(tt.revoked) {
				t.Errorf("%d keys + %d revised, want 0 + %d", len(d.export.keys), len(d.export.revised), len(tt.revoked))
			}
			if d.export.batchNum != 1 || d.export.batchSize != 1 {
				t.Errorf("batch %d/%d, want 1/1", d.export.batchNum, d.export.batchSize)
			}
			for _, n := range []int{1, 2, 3, 4, 5, 6} {
				if !d.export.seen[protowire.Number(n)] {
					t.Errorf("field %d missing from an empty export", n)
				}
			}
			if _, err := Verify(files[0], &s.Key.PublicKey); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestBuildRejectsInvalidInput(t *testing.T) {
	good := testSigner(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	goodBatch := Batch{Start: testStart, End: testEnd, Region: "NL", Keys: randomKeys(10, 3)}
	withKey := func(mod func(k *tek.Key)) Batch {
		b := goodBatch
		b.Keys = randomKeys(10, 3)
		mod(&b.Keys[1])
		return b
	}
	tests := []struct {
		name   string
		batch  Batch
		signer Signer
		max    int
		want   error
	}{
		{"no key", goodBatch, Signer{KeyID: "204", KeyVersion: "v1"}, 10, ErrInvalidSigner},
		{"P-384 key", goodBatch, Signer{Key: p384, KeyID: "204", KeyVersion: "v1"}, 10, ErrInvalidSigner},
		{"no key id", goodBatch, Signer{Key: good.Key, KeyVersion: "v1"}, 10, ErrInvalidSigner},
		{"no key version", goodBatch, Signer{Key: good.Key, KeyID: "204"}, 10, ErrInvalidSigner},
		{"zero max", goodBatch, good, 0, ErrInvalidBatch},
		{"negative max", goodBatch, good, -1, ErrInvalidBatch},
		{"end before start", Batch{Start: testEnd, End: testStart}, good, 10, ErrInvalidBatch},
		{"zero times", Batch{}, good, 10, ErrInvalidBatch},
		{"before 1970", Batch{Start: time.Unix(-10, 0), End: testEnd}, good, 10, ErrInvalidBatch},
		{"rolling period 0", withKey(func(k *tek.Key) { k.RollingPeriod = 0 }), good, 10, ErrInvalidKey},
		{"rolling period 145", withKey(func(k *tek.Key) { k.RollingPeriod = 145 }), good, 10, ErrInvalidKey},
		{"risk 9", withKey(func(k *tek.Key) { k.TransmissionRisk = 9 }), good, 10, ErrInvalidKey},
		{"revoked report type", withKey(func(k *tek.Key) { k.ReportType = tek.ReportRevoked }), good, 10, ErrInvalidKey},
		{"onset 15", withKey(func(k *tek.Key) { k.HasOnset, k.DaysSinceOnset = true, 15 }), good, 10, ErrInvalidKey},
		{"onset -15", withKey(func(k *tek.Key) { k.HasOnset, k.DaysSinceOnset = true, -15 }), good, 10, ErrInvalidKey},
		{"rolling start too large", withKey(func(k *tek.Key) { k.RollingStart = 1 << 31 }), good, 10, ErrInvalidKey},
		{"revoked rolling start too large",
			Batch{Start: testStart, End: testEnd, Revoked: []tek.RevokedKey{{RollingStart: 1 << 31}}}, good, 10, ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Build(tt.batch, tt.signer, tt.max)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Build error = %v, want %v", err, tt.want)
			}
			if files != nil {
				t.Errorf("Build returned %d files with an error", len(files))
			}
		})
	}
	// Onset out of range is ignored when the key has no onset.
	b := withKey(func(k *tek.Key) { k.HasOnset, k.DaysSinceOnset = false, 99 })
	if _, err := Build(b, good, 10); err != nil {
		t.Errorf("Build with unused onset: %v", err)
	}
}

// checkZipTimes checks that every zip entry carries the fixed time want.
func checkZipTimes(t *testing.T, file []byte, want time.Time) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !f.Modified.Equal(want) {
			t.Errorf("%s: zip time %s, want %s", f.Name, f.Modified, want)
		}
	}
}
