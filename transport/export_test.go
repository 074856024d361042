package transport

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tekstore/tekstore/gaen"
	"github.com/tekstore/tekstore/tek"
)

// testSignatureInfo is the SignatureInfo of the harness signer.
var testSignatureInfo = wireInfo{version: "v7", id: "204", algorithm: gaen.SignatureAlgorithm}

// splitPadding separates the keys of an export file into those that are
// padding (by key bytes) and the others, keeping their order.
func splitPadding(keys []wireKey, padding []tek.Key) (real []keyOut, pad int) {
	isPad := map[string]bool{}
	for _, p := range padding {
		isPad[string(p.Data[:])] = true
	}
	for _, k := range keys {
		if isPad[string(k.data)] {
			pad++
			continue
		}
		real = append(real, k.asKeyOut())
	}
	return real, pad
}

// wantSortedByKeyBytes fails unless keys are strictly ascending by key bytes.
func wantSortedByKeyBytes(t *testing.T, keys []wireKey) {
	t.Helper()
	for i := 1; i < len(keys); i++ {
		if bytes.Compare(keys[i-1].data, keys[i].data) >= 0 {
			t.Fatalf("keys %d and %d are not sorted by key bytes", i-1, i)
		}
	}
}

// TestExportMatchesCheckpointJSON decodes export.zip independently and
// compares it with the checkpoint's JSON: the same keys plus the padding,
// the revocations as REVOKED revised keys, a valid signature.
func TestExportMatchesCheckpointJSON(t *testing.T) {
	h := newCkHarness(t, true, 0)
	a := h.keys(5)
	subA := h.publish(a)
	n1 := h.seal(nil)
	h.advance(time.Minute)
	h.publish(h.keys(4))
	h.rollback(subA)
	padding := h.keys(3) // windows newer than the revoked keys': start comes from a revocation
	n2 := h.seal(padding)

	for _, tc := range []struct {
		n       uint32
		padding []tek.Key
	}{{n1, nil}, {n2, padding}} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			body, _ := h.checkpointBody(tc.n)
			r := h.mustGet(fmt.Sprintf("/v1/checkpoints/%d/export.zip", tc.n))
			if got := r.header.Get("Content-Type"); got != "application/zip" {
				t.Errorf("Content-Type = %q", got)
			}
			if got := r.header.Get("Cache-Control"); got != cacheImmutable {
				t.Errorf("Cache-Control = %q", got)
			}
			f := decodeExportZip(t, r.body)
			wantSigned(t, f, &h.key.PublicKey, testSignatureInfo)
			e := f.export
			if e.region != "NL" || e.batchNum != 1 || e.batchSize != 1 {
				t.Fatalf("region %q batch %d/%d", e.region, e.batchNum, e.batchSize)
			}

			wantSortedByKeyBytes(t, e.keys)
			real, pad := splitPadding(e.keys, tc.padding)
			if pad != len(tc.padding) {
				t.Fatalf("%d padding keys in the file, want %d", pad, len(tc.padding))
			}
			if len(real) != len(body.Keys) {
				t.Fatalf("%d real keys in the file, JSON has %d", len(real), len(body.Keys))
			}
			for i := range real {
				if !sameKeyOut(real[i], body.Keys[i]) {
					t.Fatalf("file key %d = %+v, JSON has %+v", i, real[i], body.Keys[i])
				}
			}
			wantSortedByKeyBytes(t, e.revised)
			if len(e.revised) != len(body.Revoked) {
				t.Fatalf("%d revised keys, JSON has %d revoked", len(e.revised), len(body.Revoked))
			}
			for i, k := range e.revised {
				got := keyRef{Key: base64.StdEncoding.EncodeToString(k.data), RollingStartNumber: uint32(k.start)}
				if got != body.Revoked[i] || k.reportType != int32(tek.ReportRevoked) {
					t.Fatalf("revised key %d = %+v (report type %d), JSON has %+v", i, got, k.reportType, body.Revoked[i])
				}
			}

			// The window: end at the seal, start at the oldest key window.
			ck, err := h.store.state.Checkpoint(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			ck = h.store.state.CheckpointContent(ck)
			if want := uint64(ck.SealedAt.Unix()); e.end != want {
				t.Fatalf("end = %d, want the seal time %d", e.end, want)
			}
			oldest := e.end
			for _, k := range append(append([]wireKey(nil), e.keys...), e.revised...) {
				oldest = min(oldest, uint64(k.start)*tek.IntervalSeconds)
			}
			if e.start != oldest {
				t.Fatalf("start = %d, want the oldest key window %d", e.start, oldest)
			}
		})
	}
}

// TestExportSplitAndIndex: a checkpoint larger than the file limit is split
// into files with their own batch numbers and end times, all listed in
// index.txt, oldest first.
func TestExportSplitAndIndex(t *testing.T) {
	h := newCkHarness(t, true, 4)
	a := h.keys(3)
	subA := h.publish(a)
	padding := h.keys(6)
	n1 := h.seal(padding) // 9 entries: 3 files
	h.advance(time.Minute)
	b := h.keys(2)
	h.publish(b)
	h.rollback(subA)
	n2 := h.seal(nil) // 2 keys + 3 revoked: 2 files

	idx := h.mustGet("/v1/export/index.txt")
	if got := idx.header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Errorf("index Content-Type = %q", got)
	}
	if got := idx.header.Get("Cache-Control"); got != cacheListing {
		t.Errorf("index Cache-Control = %q", got)
	}
	want := fmt.Sprintf("v1/checkpoints/%[1]d/export.zip\nv1/checkpoints/%[1]d/export-2.zip\nv1/checkpoints/%[1]d/export-3.zip\n"+
		"v1/checkpoints/%[2]d/export.zip\nv1/checkpoints/%[2]d/export-2.zip\n", n1, n2)
	if string(idx.body) != want {
		t.Fatalf("index.txt = %q, want %q", idx.body, want)
	}

	files := map[uint32][]wireFile{}
	for _, line := range strings.Split(strings.TrimSuffix(string(idx.body), "\n"), "\n") {
		var n uint32
		if _, err := fmt.Sscanf(line, "v1/checkpoints/%d/", &n); err != nil {
			t.Fatalf("index line %q: %v", line, err)
		}
		r := h.mustGet("/" + line)
		f := decodeExportZip(t, r.body)
		wantSigned(t, f, &h.key.PublicKey, testSignatureInfo)
		files[n] = append(files[n], f)
	}
	for n, fs := range files {
		ck, err := h.store.state.Checkpoint(n)
		if err != nil {
			t.Fatal(err)
		}
		ck = h.store.state.CheckpointContent(ck)
		var keys, revised []wireKey
		for i, f := range fs {
			e := f.export
			if e.batchNum != int32(i+1) || e.batchSize != int32(len(fs)) {
				t.Fatalf("checkpoint %d file %d: batch %d/%d", n, i+1, e.batchNum, e.batchSize)
			}
			if e.end != uint64(ck.SealedAt.Unix())+uint64(i) || e.start != fs[0].export.start {
				t.Fatalf("checkpoint %d file %d: window %d..%d", n, i+1, e.start, e.end)
			}
			if len(e.keys)+len(e.revised) > 4 {
				t.Fatalf("checkpoint %d file %d: %d entries, limit 4", n, i+1, len(e.keys)+len(e.revised))
			}
			keys, revised = append(keys, e.keys...), append(revised, e.revised...)
		}
		wantSortedByKeyBytes(t, keys)
		wantSortedByKeyBytes(t, revised)
		if len(keys) != len(ck.Keys)+len(ck.Padding) || len(revised) != len(ck.Revoked) {
			t.Fatalf("checkpoint %d: %d keys and %d revised in its files, want %d and %d",
				n, len(keys), len(revised), len(ck.Keys)+len(ck.Padding), len(ck.Revoked))
		}
	}
	for _, p := range []string{fmt.Sprintf("/v1/checkpoints/%d/export-4.zip", n1), fmt.Sprintf("/v1/checkpoints/%d/export-3.zip", n2)} {
		if r := h.get(p); r.status != http.StatusNotFound {
			t.Fatalf("GET %s: %d, want 404", p, r.status)
		}
	}
}

// TestExportsDisabled: without a signing key the JSON checkpoints are
// served and the export endpoints answer 404.
func TestExportsDisabled(t *testing.T) {
	h := newCkHarness(t, false, 0)
	h.publish(h.keys(2))
	n := h.seal(nil)
	h.mustGet(fmt.Sprintf("/v1/checkpoints/%d", n))
	for _, p := range []string{fmt.Sprintf("/v1/checkpoints/%d/export.zip", n), "/v1/export/index.txt"} {
		r := h.get(p)
		r.wantStatus(t, http.StatusNotFound)
		if got := errorOf(t, r).Code; got != codeNotFound {
			t.Fatalf("GET %s: code %q", p, got)
		}
	}
}
