package transport

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math/rand"
	"strconv"
	"testing"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/tek"
)

// TestAppendDeltaJSONMatchesEncodingJSON checks the hand-written renderer
// against encoding/json on random deltas: the bytes must be identical.
func TestAppendDeltaJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for n := 0; n < 200; n++ {
		d := fsm.Delta{Since: rng.Uint64() >> uint(rng.Intn(64)), Until: rng.Uint64() >> uint(rng.Intn(64)), Reset: rng.Intn(2) == 0, More: rng.Intn(2) == 0}
		for i := rng.Intn(20); i > 0; i-- {
			var k tek.Key
			rng.Read(k.Data[:])
			k.RollingStart = rng.Uint32()
			k.RollingPeriod = uint8(rng.Intn(145))
			k.TransmissionRisk = uint8(rng.Intn(9))
			k.ReportType = tek.ReportType(rng.Intn(6))
			k.HasOnset = rng.Intn(2) == 0
			k.DaysSinceOnset = int8(rng.Intn(29) - 14)
			d.Keys = append(d.Keys, k)
		}
		for i := rng.Intn(5); i > 0; i-- {
			var r tek.RevokedKey
			rng.Read(r.Data[:])
			r.RollingStart = rng.Uint32()
			d.Revoked = append(d.Revoked, r)
		}
		want, err := json.Marshal(keysResponse{Since: d.Since, Until: d.Until, Reset: d.Reset, More: d.More,
			Keys: toKeysOut(d.Keys), Revoked: toRefsOut(d.Revoked)})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		if got := appendDeltaJSON(nil, d); !bytes.Equal(got, want) {
			t.Fatalf("case %d:\n got %s\nwant %s", n, got, want)
		}
	}
}

// TestDeltaCache checks that answers are reused at one index, dropped when
// the index moves, and that the gzip form decompresses to the plain form.
func TestDeltaCache(t *testing.T) {
	c := newDeltaCache(1 << 20)
	renders := 0
	render := func(idx uint64) func() (fsm.Delta, []byte) {
		return func() (fsm.Delta, []byte) {
			renders++
			d := fsm.Delta{Until: idx, Keys: make([]tek.Key, 40)}
			return d, appendDeltaJSON(nil, d)
		}
	}
	a := c.get(5, deltaKey{since: 1, limit: 10}, render(5))
	b := c.get(5, deltaKey{since: 1, limit: 10}, render(5))
	if a != b || renders != 1 {
		t.Fatalf("same index: renders=%d, same entry=%v", renders, a == b)
	}
	c.get(6, deltaKey{since: 1, limit: 10}, render(6))
	if renders != 2 {
		t.Fatalf("new index did not re-render: %d", renders)
	}
	gz, gzLength := a.gzipped()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, a.plain) {
		t.Fatal("gzip form differs from plain form")
	}
	if a.plainLength[0] != strconv.Itoa(len(a.plain)) || gzLength[0] != strconv.Itoa(len(gz)) {
		t.Fatalf("Content-Length values %v %v for %d and %d bytes", a.plainLength, gzLength, len(a.plain), len(gz))
	}
	// A render whose Until is not the cache index (state moved meanwhile)
	// is served but not cached.
	c.get(7, deltaKey{since: 2}, render(8))
	c.get(7, deltaKey{since: 2}, render(8))
	if renders != 4 {
		t.Fatalf("stale render was cached: renders=%d", renders)
	}
}
