package fsm

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/proto"
)

// TestAuthSnapshotRecordIsProtodelim: the hand-written authorization
// record is byte for byte what protodelim writes for the same message, so
// snapshots (and their checksums and digests) are unchanged by it.
func TestAuthSnapshotRecordIsProtodelim(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	opts := protodelim.MarshalOptions{MarshalOptions: proto.MarshalOptions{Deterministic: true}}
	for i := 0; i < 3000; i++ {
		var a authRec
		a.codeHash[0], a.codeHash[31] = byte(r.IntN(256)), byte(i)
		a.id, _ = makeShortID(fmt.Sprintf("a_%d", r.IntN(1e9))[:1+r.IntN(8)])
		if r.IntN(10) == 0 {
			a.id = shortID{}
		}
		a.issuedMs, a.expiresMs = r.Int64N(1<<45)*int64(r.IntN(2)), r.Int64N(1<<45)-int64(r.IntN(2))<<44
		a.onsetDay = int32(r.IntN(40000)) - 20000
		a.rtype, a.flags = uint8(r.IntN(6)), uint8(r.IntN(4))
		provider := []string{"", "p_1", "provider with a long name"}[r.IntN(3)]
		var sub *shortID
		if r.IntN(2) == 0 {
			id, _ := makeShortID(fmt.Sprintf("s_%d", r.IntN(1e6)))
			sub = &id
		}
		rec := &fsmpb.AuthorizationRecord{Id: a.id.String(), CodeHash: a.codeHash[:], ProviderId: provider, ReportType: uint32(a.rtype),
			HasOnset: a.flags&authOnset != 0, OnsetDay: a.onsetDay, IssuedUnixMs: a.issuedMs, ExpiresUnixMs: a.expiresMs}
		if sub != nil {
			rec.SubmissionId = sub.String()
		}
		var want bytes.Buffer
		if _, err := opts.MarshalTo(&want, &fsmpb.SnapshotRecord{Record: &fsmpb.SnapshotRecord_Authorization{Authorization: rec}}); err != nil {
			t.Fatal(err)
		}
		if got := appendAuthSnapshotRecord(nil, &a, provider, sub); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("record %d:\n got %x\nwant %x", i, got, want.Bytes())
		}
	}
}
