package fsm

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/proto"
)

// wireItem is one upload of the wire tests, with every field varied.
func wireItem(r *rand.Rand) (code, rev Hash, id string, keys []tek.Key) {
	code[0], rev[31] = byte(r.IntN(256)), byte(r.IntN(256))
	if r.IntN(5) > 0 {
		id = fmt.Sprintf("sub_%d", r.IntN(1e6))
	}
	keys = make([]tek.Key, r.IntN(MaxKeysPerUpload+1))
	for i := range keys {
		k := &keys[i]
		k.Data[0], k.Data[15] = byte(r.IntN(256)), byte(i)
		k.RollingStart = uint32(r.Int64N(1 << 32))
		if r.IntN(3) == 0 {
			k.RollingStart = 0
		}
		k.RollingPeriod, k.TransmissionRisk = uint8(r.IntN(256)), uint8(r.IntN(3))
		k.HasOnset, k.DaysSinceOnset = r.IntN(2) == 0, int8(r.IntN(256)-128)
		k.ReportType = tek.ReportType(r.IntN(3))
	}
	return code, rev, id, keys
}

// TestAppendPublishItemIsProtoMarshal: the hand-written encoding gives the
// bytes the generated code gives, so that either can write and read logs.
func TestAppendPublishItemIsProtoMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		code, rev, id, keys := wireItem(r)
		got := AppendPublishItem(nil, code, rev, id, keys)
		want, err := proto.MarshalOptions{Deterministic: true}.Marshal(&fsmpb.PublishItem{
			CodeHash: code[:], SubmissionId: id, RevisionTokenHash: rev[:], Keys: KeysToPB(keys)})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("item %d: AppendPublishItem\n%x\nproto.Marshal\n%x", i, got, want)
		}
		if len(got) != publishItemLen(id, keys) {
			t.Fatalf("item %d: %d bytes, publishItemLen says %d", i, len(got), publishItemLen(id, keys))
		}
	}
}

// TestDecodePublishPayloadMatchesGenerated checks the direct reader against
// the generated code on canonical payloads and on damaged ones: the same
// uploads, the same per-upload errors, and an error exactly when the
// generated code gives one.
func TestDecodePublishPayloadMatchesGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	fast := 0
	for i := 0; i < 3000; i++ {
		var payload []byte
		for n := 1 + r.IntN(4); n > 0; n-- {
			code, rev, id, keys := wireItem(r)
			payload = AppendPublishEntry(payload, AppendPublishItem(nil, code, rev, id, keys))
		}
		if i%2 == 1 {
			payload = damage(r, payload)
		}
		if _, ok := decodePublishFast(payload); ok {
			fast++
		}
		comparePublishDecoders(t, payload)
	}
	if fast < 1500 {
		t.Fatalf("only %d of 3000 payloads took the direct path", fast)
	}
}

// damage flips, cuts or extends a payload.
func damage(r *rand.Rand, b []byte) []byte {
	b = append([]byte(nil), b...)
	switch r.IntN(3) {
	case 0:
		b[r.IntN(len(b))] ^= byte(1 << r.IntN(8))
	case 1:
		b = b[:r.IntN(len(b))]
	default:
		b = append(b, byte(r.IntN(256)), byte(r.IntN(256)))
	}
	return b
}

func comparePublishDecoders(t *testing.T, payload []byte) {
	t.Helper()
	got, gerr := decodePublishPayload(payload)
	want, werr := decodePublishGeneric(payload)
	if _, serr := SplitPublishPayload(payload); serr == nil && gerr != nil {
		t.Fatalf("payload %x: SplitPublishPayload accepted what Apply cannot decode: %v", payload, gerr)
	}
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("payload %x: error %v, generated code %v", payload, gerr, werr)
	}
	if gerr != nil {
		return
	}
	if len(got.items) != len(want.items) {
		t.Fatalf("payload %x: %d items, generated code %d", payload, len(got.items), len(want.items))
	}
	for i := range got.items {
		g, w := got.items[i], want.items[i]
		if fmt.Sprint(g.err) != fmt.Sprint(w.err) {
			t.Fatalf("payload %x item %d: error %v, generated code %v", payload, i, g.err, w.err)
		}
		if g.err == nil && len(g.keys)+len(w.keys) > 0 && !reflect.DeepEqual(g.keys, w.keys) {
			t.Fatalf("payload %x item %d: keys differ", payload, i)
		}
		if !bytes.Equal(g.codeHash, w.codeHash) || !bytes.Equal(g.revHash, w.revHash) || g.submissionID != w.submissionID {
			t.Fatalf("payload %x item %d: fields differ", payload, i)
		}
	}
}

func FuzzDecodePublishPayload(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 8; i++ {
		code, rev, id, keys := wireItem(r)
		f.Add(AppendPublishEntry(nil, AppendPublishItem(nil, code, rev, id, keys)))
	}
	f.Fuzz(func(t *testing.T, payload []byte) { comparePublishDecoders(t, payload) })
}

// TestApplyReadsHandWrittenPublish: a batch built by AppendPublishEntry
// and EncodePayload is the same log entry as the batch built from
// messages, and applies with the expected results.
func TestApplyReadsHandWrittenPublish(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 100)
	var payload []byte
	msg := &fsmpb.Publish{}
	for i := 0; i < 3; i++ {
		code := h.code("p1")
		keys := h.pastKeys(5 + i)
		payload = AppendPublishEntry(payload, AppendPublishItem(nil, hashOf(code), hashOf("rev-"+code), "s-"+code, keys))
		msg.Items = append(msg.Items, item(code, keys))
	}
	raw, err := EncodePayload(fsmpb.CommandType_COMMAND_TYPE_PUBLISH, payload, h.now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, h.envelope(fsmpb.CommandType_COMMAND_TYPE_PUBLISH, msg)) {
		t.Fatal("EncodePayload and Encode give different entries for the same batch")
	}
	out, _ := h.publishItems(msg.Items...)
	for i, it := range out {
		if it.Err != nil || it.Inserted != 5+i {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if items, err := SplitPublishPayload(payload); err != nil || len(items) != 3 {
		t.Fatalf("SplitPublishPayload = %d items, %v", len(items), err)
	}
	if _, err := SplitPublishPayload(payload[:len(payload)-3]); err == nil {
		t.Fatal("SplitPublishPayload accepted a cut payload")
	}
	if _, err := SplitPublishPayload(nil); err == nil {
		t.Fatal("SplitPublishPayload accepted an empty payload")
	}
}
