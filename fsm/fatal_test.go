package fsm

import (
	"errors"
	"testing"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/proto"
)

func TestFatalEntries(t *testing.T) {
	h := newHarness(t)
	h.provider("p1", 0)
	h.mustPublish(h.code("p1"), h.pastKeys(2))
	marshal := func(e *fsmpb.Envelope) []byte {
		b, err := proto.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tick := marshal(&fsmpb.Envelope{Version: 1, Type: fsmpb.CommandType_COMMAND_TYPE_TICK, TimeUnixMs: t0.UnixMilli()})
	tests := []struct {
		name  string
		index uint64
		data  []byte
	}{
		{"garbage", h.idx + 1, []byte{0xff, 0xff, 0xff, 0xff}},
		{"truncated envelope", h.idx + 1, tick[:len(tick)-2]},
		{"unknown command type", h.idx + 1, marshal(&fsmpb.Envelope{Version: 1, Type: 99})},
		{"type 0", h.idx + 1, marshal(&fsmpb.Envelope{Version: 1, Type: 0})},
		{"version 0", h.idx + 1, marshal(&fsmpb.Envelope{Version: 0, Type: fsmpb.CommandType_COMMAND_TYPE_TICK})},
		{"version 2", h.idx + 1, marshal(&fsmpb.Envelope{Version: 2, Type: fsmpb.CommandType_COMMAND_TYPE_TICK})},
		{"undecodable payload", h.idx + 1, marshal(&fsmpb.Envelope{Version: 1, Type: fsmpb.CommandType_COMMAND_TYPE_PUBLISH, Payload: []byte{0x0a, 0x7f, 0x01}})},
		{"payload of wrong wire type", h.idx + 1, marshal(&fsmpb.Envelope{Version: 1, Type: fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER, Payload: []byte{0x0d}})},
		{"index repeated", h.idx, tick},
		{"index going back", h.idx - 1, tick},
		{"index 0", 0, tick},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := h.s.Digest()
			idx := h.s.Index()
			res, err := h.s.Apply(tc.index, tc.data)
			var fe *FatalError
			if !errors.As(err, &fe) {
				t.Fatalf("Apply = %+v, %v; want *FatalError", res, err)
			}
			if fe.Index != tc.index || fe.Err == nil || fe.Error() == "" || errors.Unwrap(fe) != fe.Err {
				t.Fatalf("FatalError = %+v", fe)
			}
			if res != (Result{}) {
				t.Fatalf("fatal Apply returned result %+v", res)
			}
			if h.s.Digest() != before || h.s.Index() != idx {
				t.Fatalf("fatal entry changed the state")
			}
		})
	}
	// The state goes on with the next index afterwards.
	h.tick()
}

func TestDecode(t *testing.T) {
	b, err := Encode(fsmpb.CommandType_COMMAND_TYPE_TICK, &fsmpb.Tick{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	env, err := Decode(b)
	if err != nil || env.Version != CommandVersion || env.Type != fsmpb.CommandType_COMMAND_TYPE_TICK || env.TimeUnixMs != t0.UnixMilli() {
		t.Fatalf("Decode = %+v, %v", env, err)
	}
	if _, err := Decode([]byte{0xff}); err == nil {
		t.Fatalf("Decode(garbage) succeeded")
	}
}
