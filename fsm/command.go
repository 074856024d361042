package fsm

import (
	"fmt"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/proto"
)

// CommandVersion is the payload version this code writes and the highest it
// reads, per command type.
const CommandVersion = 1

// Encode wraps a payload in a versioned envelope stamped with the proposer's
// time. The result is what goes into the Raft log.
func Encode(t fsmpb.CommandType, payload proto.Message, now time.Time) ([]byte, error) {
	p, err := MarshalPayload(t, payload)
	if err != nil {
		return nil, err
	}
	return EncodePayload(t, p, now)
}

// MarshalPayload encodes a command's payload as it goes into the envelope
// (deterministic marshaling).
func MarshalPayload(t fsmpb.CommandType, payload proto.Message) ([]byte, error) {
	p, err := proto.MarshalOptions{Deterministic: true}.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode %v payload: %w", t, err)
	}
	return p, nil
}

// EncodePayload is Encode for a payload that is already encoded (a Publish
// payload built with AppendPublishEntry).
func EncodePayload(t fsmpb.CommandType, p []byte, now time.Time) ([]byte, error) {
	env := &fsmpb.Envelope{Version: CommandVersion, Type: t, TimeUnixMs: now.UnixMilli(), Payload: p}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("encode %v envelope: %w", t, err)
	}
	return b, nil
}

// Decode parses an envelope without applying it (used by tools that read
// journals and logs).
func Decode(data []byte) (*fsmpb.Envelope, error) {
	env := &fsmpb.Envelope{}
	if err := proto.Unmarshal(data, env); err != nil {
		return nil, fmt.Errorf("decode envelope: %w", err)
	}
	return env, nil
}
