package fsm

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/encoding/protodelim"
)

func TestColumnRecordsHoldNoPointers(t *testing.T) {
	for _, v := range []any{entry{}, seqRun{}, subRun{}, subRec{}, authRec{}} {
		typ := reflect.TypeOf(v)
		var check func(reflect.Type)
		check = func(ty reflect.Type) {
			switch ty.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface, reflect.Chan, reflect.Func:
				t.Errorf("%s holds a %s; columns live outside the Go heap", typ, ty.Kind())
			case reflect.Array:
				check(ty.Elem())
			case reflect.Struct:
				for i := 0; i < ty.NumField(); i++ {
					check(ty.Field(i).Type)
				}
			}
		}
		check(typ)
	}
	if n := reflect.TypeOf(entry{}).Size(); n != 24 {
		t.Errorf("entry is %d bytes, want 24", n)
	}
}

func TestColumnCopyOnWrite(t *testing.T) {
	var c column[uint64]
	n := 3*chunkLen + 17
	for i := 0; i < n; i++ {
		c.push(uint64(i))
	}
	v := c.freeze()
	*c.mut(5) = 1e9                 // first chunk: copied
	*c.mut(3*chunkLen + 1) = 2e9    // shared last chunk: copied too
	for i := 0; i < chunkLen; i++ { // appends after the view land beyond its length
		c.push(7)
	}
	for _, i := range []int{0, 5, chunkLen, 3*chunkLen + 1, n - 1} {
		if got := v.get(i); got != uint64(i) {
			t.Fatalf("view item %d = %d after changes, want %d", i, got, i)
		}
	}
	if c.get(5) != 1e9 || c.get(3*chunkLen+1) != 2e9 || c.get(n) != 7 || c.len() != n+chunkLen {
		t.Fatalf("column lost its own changes")
	}
	if v.len() != n {
		t.Fatalf("view len %d, want %d", v.len(), n)
	}
	// A second change in the same epoch changes the copy in place.
	p := c.mut(6)
	*p = 3
	if c.get(6) != 3 || v.get(6) != 6 {
		t.Fatalf("second change: column %d, view %d", c.get(6), v.get(6))
	}
}

func TestColumnSkipAndDrop(t *testing.T) {
	var c column[uint32]
	c.skipTo(2*chunkLen + 5)
	if c.len() != 2*chunkLen+5 || !c.chunkDropped(0) || !c.chunkDropped(1) || c.chunkDropped(2) {
		t.Fatalf("skipTo: len %d, chunks %v", c.len(), []bool{c.chunkDropped(0), c.chunkDropped(1), c.chunkDropped(2)})
	}
	if c.get(2*chunkLen+4) != 0 {
		t.Fatalf("skipped item not zero")
	}
	c.push(9)
	if c.get(2*chunkLen+5) != 9 {
		t.Fatalf("push after skipTo landed elsewhere")
	}
	v := c.freeze()
	if v.chunkLive(0) || !v.chunkLive(2*chunkLen) {
		t.Fatalf("view chunk liveness wrong")
	}
	c.dropChunk(2)
	if !c.chunkDropped(2) || v.get(2*chunkLen+5) != 9 {
		t.Fatalf("dropChunk changed the view or did not drop")
	}
}

func TestHashIndexAgainstMap(t *testing.T) {
	for _, tc := range []struct {
		name string
		hash func(uint64) uint64
	}{
		{"spread", func(k uint64) uint64 { return k * 0x9E3779B97F4A7C15 }},
		{"colliding", func(k uint64) uint64 { return k % 7 }}, // long probe runs, wrap-around
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := map[uint32]uint64{} // ref -> key
			x := newHashIndex(func(r uint32) uint64 { return tc.hash(keys[r]) }, 0)
			model := map[uint64]uint32{}
			rng := rand.New(rand.NewSource(3))
			next := uint32(0)
			for step := 0; step < 20000; step++ {
				k := uint64(rng.Intn(3000))
				match := func(r uint32) bool { return keys[r] == k }
				ref, found := x.find(tc.hash(k), match)
				want, ok := model[k]
				if found != ok || (ok && ref != want) {
					t.Fatalf("step %d: find(%d) = %d, %v; want %d, %v", step, k, ref, found, want, ok)
				}
				if rng.Intn(3) == 0 {
					if x.remove(tc.hash(k), match) != ok {
						t.Fatalf("step %d: remove(%d) disagreed", step, k)
					}
					delete(model, k)
				} else if !ok {
					keys[next] = k
					x.insert(tc.hash(k), next)
					model[k] = next
					next++
				}
				if x.len() != len(model) {
					t.Fatalf("step %d: len %d, want %d", step, x.len(), len(model))
				}
			}
			for k, want := range model {
				if ref, ok := x.find(tc.hash(k), func(r uint32) bool { return keys[r] == k }); !ok || ref != want {
					t.Fatalf("final find(%d) = %d, %v", k, ref, ok)
				}
			}
		})
	}
}

func TestPackedEntryRoundTrip(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 50; i++ {
		k := h.key(uint32(2900000+i), uint8(1+i%144))
		k.ReportType = tek.ReportType(i % 6)
		k.HasOnset, k.DaysSinceOnset = i%2 == 0, int8(i%29-14)
		e := packEntry(k)
		if i%3 == 0 {
			e.flags |= entryExpired
		}
		revoked := uint64(0)
		if i%4 == 0 {
			revoked = uint64(1000 + i)
			e.flags |= entryRevoked
		}
		want := placed{e: e, seq: uint64(i) << 40, sub: uint32(i * 7), revokedSeq: revoked}
		b := appendPackedEntry(nil, want)
		if len(b) != packedEntryLen {
			t.Fatalf("packed %d bytes", len(b))
		}
		got, err := unpackEntry(b)
		if err != nil || got != want || got.e.key() != k {
			t.Fatalf("round trip %d: %+v, %v; want %+v", i, got, err, want)
		}
	}
	bad := appendPackedEntry(nil, placed{e: entry{period: 1}, seq: 1})
	bad[23] = 0x80
	if _, err := unpackEntry(bad); err == nil {
		t.Fatalf("unknown flags accepted")
	}
}

func TestRestoreRefusesBadKeyBlocks(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	h.mustPublish(h.code("p1"), h.pastKeys(3))
	good := snapshotBytes(t, h.s)
	for name, mutate := range map[string]func(*fsmpb.PublicKeyBlock){
		"count too high": func(b *fsmpb.PublicKeyBlock) { b.Count++ },
		"zero period":    func(b *fsmpb.PublicKeyBlock) { b.Entries[20] = 0 },
		"seq goes back":  func(b *fsmpb.PublicKeyBlock) { binary.LittleEndian.PutUint64(b.Entries[packedEntryLen+25:], 0) },
	} {
		t.Run(name, func(t *testing.T) {
			data := rewriteRecords(t, good, func(r *fsmpb.SnapshotRecord) {
				if b := r.GetPublicKeyBlock(); b != nil {
					mutate(b)
				}
			})
			if err := New(Config{}).Restore(bytes.NewReader(data)); err == nil {
				t.Fatalf("bad key block accepted")
			}
		})
	}
}

// TestRestoreFormat1 loads a snapshot written by format 1 (one record per
// key, before the columns) and requires the same state as replaying the
// log it was taken after. testdata/v1-log.bin holds that log: 700
// generated commands, each preceded by its length as a uvarint.
func TestRestoreFormat1(t *testing.T) {
	log, err := os.ReadFile("testdata/v1-log.bin")
	if err != nil {
		t.Fatal(err)
	}
	replayed := New(Config{})
	for idx := uint64(1); len(log) > 0; idx++ {
		n, w := binary.Uvarint(log)
		if _, err := replayed.Apply(idx, log[w:w+int(n)]); err != nil {
			t.Fatalf("replay %d: %v", idx, err)
		}
		log = log[w+int(n):]
	}
	snap, err := os.Open("testdata/v1-snapshot.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	loaded := New(Config{})
	if err := loaded.Restore(snap); err != nil {
		t.Fatalf("Restore format 1: %v", err)
	}
	if loaded.Digest() != replayed.Digest() {
		t.Fatalf("format 1 snapshot and replayed log give different states")
	}
	checkInvariants(t, loaded)
	if pub, _ := loaded.PublicCount(); pub == 0 || len(loaded.Checkpoints()) == 0 {
		t.Fatalf("fixture too thin: %d public keys, %d checkpoints", pub, len(loaded.Checkpoints()))
	}
}

// TestPruneReleasesChunksAndCompactsAuthorizations runs more submissions
// than one column chunk holds through retention, with unused codes
// expiring beside them, and checks that pruning drops whole chunks,
// compacts the authorization column, and keeps every index and the
// snapshot consistent.
func TestPruneReleasesChunksAndCompactsAuthorizations(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	h := newHarness(t)
	h.provider("p1", 0)
	subs := chunkLen + 2000
	var lastCode string
	var lastKeys []tek.Key
	for done := 0; done < subs; done += 1000 {
		codes := make([]string, 1000)
		for i := range codes {
			codes[i] = fmt.Sprintf("c%d", done+i)
		}
		h.issue(issueReq{provider: "p1", codes: codes})
		h.issue(issueReq{provider: "p1", codes: []string{fmt.Sprintf("unused%d", done)}, ttl: time.Hour})
		items := make([]*fsmpb.PublishItem, 0, len(codes))
		for _, c := range codes {
			lastCode, lastKeys = c, h.pastKeys(1)
			items = append(items, item(c, lastKeys))
		}
		h.publishItems(items...)
		h.advance(10 * time.Minute)
	}
	checkInvariants(t, h.s)
	before := h.s.auths.len()
	// Past retention for the first uploads only.
	h.now = t0.Add(DefaultRetention + submissionKeepDays*24*time.Hour + time.Duration(chunkLen/1000+1)*10*time.Minute)
	h.tick()
	checkInvariants(t, h.s)
	if !h.s.subs.chunkDropped(0) {
		t.Fatalf("first submission chunk not released (subFirst %d)", h.s.subFirst)
	}
	if h.s.auths.len() >= before || h.s.auths.len() != h.s.authLive {
		t.Fatalf("authorizations not compacted: %d slots before, %d after, %d live", before, h.s.auths.len(), h.s.authLive)
	}
	if _, err := h.s.Submission("s-c0"); err == nil {
		t.Fatalf("pruned submission still found")
	}
	last := "s-" + lastCode
	if _, err := h.s.Submission(last); err != nil {
		t.Fatalf("recent submission lost: %v", err)
	}
	r := restored(t, h.s)
	checkInvariants(t, r)
	if r.Digest() != h.s.Digest() {
		t.Fatalf("restored state differs")
	}
	if _, err := r.Submission(last); err != nil {
		t.Fatalf("restored state lost %s: %v", last, err)
	}
	// A replay of the last upload still finds its authorization (remapped
	// by the compaction, then restored).
	if res, err := r.CheckCode(hashOf(lastCode), KeySetHash(lastKeys)); err != nil || res == nil || !res.Replayed {
		t.Fatalf("replay check after restore: %+v, %v", res, err)
	}
}

// rewriteRecords decodes a snapshot stream, lets mutate change its records
// and encodes it again with a valid end record and checksum.
func rewriteRecords(t *testing.T, snap []byte, mutate func(*fsmpb.SnapshotRecord)) []byte {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(snap[len(SnapshotMagic):]))
	var out bytes.Buffer
	out.WriteString(SnapshotMagic)
	for {
		rec := &fsmpb.SnapshotRecord{}
		if err := protodelim.UnmarshalFrom(r, rec); err != nil {
			t.Fatalf("decode: %v", err)
		}
		end := rec.GetEnd() != nil
		if !end {
			mutate(rec)
		}
		if _, err := protodelim.MarshalTo(&out, rec); err != nil {
			t.Fatal(err)
		}
		if end {
			break
		}
	}
	sum := sha256Sum(out.Bytes())
	return append(out.Bytes(), sum[:]...)
}
