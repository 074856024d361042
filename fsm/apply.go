package fsm

import (
	"fmt"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/proto"
)

// handler applies one decoded payload at index. It runs with s.mu held.
// The payload is decoded into newPayload's message, or by decode when the
// command has a decoder of its own (Publish, read without building
// protobuf messages).
type handler struct {
	newPayload func() proto.Message
	apply      func(s *State, index uint64, payload any) (any, error)
	decode     func(payload []byte) (any, error)
}

var handlers = map[fsmpb.CommandType]handler{
	fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER: {
		func() proto.Message { return &fsmpb.CreateProvider{} },
		func(s *State, i uint64, m any) (any, error) {
			return s.applyCreateProvider(m.(*fsmpb.CreateProvider))
		}, nil},
	fsmpb.CommandType_COMMAND_TYPE_SET_PROVIDER_SUSPENDED: {
		func() proto.Message { return &fsmpb.SetProviderSuspended{} },
		func(s *State, i uint64, m any) (any, error) {
			return s.applySuspend(m.(*fsmpb.SetProviderSuspended))
		}, nil},
	fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS: {
		func() proto.Message { return &fsmpb.IssueAuthorizations{} },
		func(s *State, i uint64, m any) (any, error) {
			return s.applyIssue(m.(*fsmpb.IssueAuthorizations))
		}, nil},
	fsmpb.CommandType_COMMAND_TYPE_PUBLISH: {
		func() proto.Message { return &fsmpb.Publish{} },
		func(s *State, i uint64, m any) (any, error) { return s.applyPublish(i, m.(*publishBatch)) },
		func(b []byte) (any, error) { return decodePublishPayload(b) }},
	fsmpb.CommandType_COMMAND_TYPE_ROLLBACK_SUBMISSION: {
		func() proto.Message { return &fsmpb.RollbackSubmission{} },
		func(s *State, i uint64, m any) (any, error) {
			return s.applyRollback(i, m.(*fsmpb.RollbackSubmission))
		}, nil},
	fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS: {
		func() proto.Message { return &fsmpb.RevokeKeys{} },
		func(s *State, i uint64, m any) (any, error) {
			return s.applyRevokeKeys(i, m.(*fsmpb.RevokeKeys))
		}, nil},
	fsmpb.CommandType_COMMAND_TYPE_REVOKE_BY_TOKEN: {
		func() proto.Message { return &fsmpb.RevokeByToken{} },
		func(s *State, i uint64, m any) (any, error) {
			return s.applyRevokeByToken(i, m.(*fsmpb.RevokeByToken))
		}, nil},
	fsmpb.CommandType_COMMAND_TYPE_ROLLBACK_PROVIDER: {
		func() proto.Message { return &fsmpb.RollbackProvider{} },
		func(s *State, i uint64, m any) (any, error) {
			return s.applyProviderRollback(i, m.(*fsmpb.RollbackProvider))
		}, nil},
	fsmpb.CommandType_COMMAND_TYPE_TICK: {
		func() proto.Message { return &fsmpb.Tick{} },
		func(s *State, i uint64, m any) (any, error) { return nil, nil }, nil},
	fsmpb.CommandType_COMMAND_TYPE_SEAL_CHECKPOINT: {
		func() proto.Message { return &fsmpb.SealCheckpoint{} },
		func(s *State, i uint64, m any) (any, error) {
			return s.applySeal(i, m.(*fsmpb.SealCheckpoint))
		}, nil},
	fsmpb.CommandType_COMMAND_TYPE_SET_FEATURE_LEVEL: {
		func() proto.Message { return &fsmpb.SetFeatureLevel{} },
		func(s *State, i uint64, m any) (any, error) {
			return s.applySetFeatureLevel(m.(*fsmpb.SetFeatureLevel))
		}, decodeSetFeatureLevel},
}

// unmarshalPayload is the generated decoding of a payload.
func unmarshalPayload(b []byte, m proto.Message) error { return proto.Unmarshal(b, m) }

// decodePayload decodes a payload for apply.
func (h handler) decodePayload(b []byte) (any, error) {
	if h.decode != nil {
		return h.decode(b)
	}
	msg := h.newPayload()
	if err := proto.Unmarshal(b, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// Apply applies the encoded envelope found at log index. A malformed entry or
// an unknown command type or version returns a *FatalError and leaves the
// state untouched. Otherwise the result's Err carries any domain refusal.
func (s *State) Apply(index uint64, data []byte) (Result, error) {
	env := &fsmpb.Envelope{}
	if err := proto.Unmarshal(data, env); err != nil {
		return Result{}, &FatalError{Index: index, Err: fmt.Errorf("decode envelope: %w", err)}
	}
	h, ok := handlers[env.Type]
	if !ok {
		return Result{}, &FatalError{Index: index, Err: fmt.Errorf("unknown command type %d", int32(env.Type))}
	}
	if env.Version == 0 || env.Version > CommandVersion {
		return Result{}, &FatalError{Index: index, Err: fmt.Errorf("command %v version %d not supported (max %d)", env.Type, env.Version, CommandVersion)}
	}
	msg, err := h.decodePayload(env.Payload)
	if err != nil {
		return Result{}, &FatalError{Index: index, Err: fmt.Errorf("decode %v payload: %w", env.Type, err)}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if index <= s.index {
		return Result{}, &FatalError{Index: index, Err: fmt.Errorf("index not after last applied %d", s.index)}
	}
	s.index = index
	if t := min(env.TimeUnixMs, maxLeaderMs); t > s.nowMs {
		s.nowMs = t
	}
	s.advanceTime(index)
	v, err := h.apply(s, index, msg)
	return Result{Seq: index, Value: v, Err: err}, nil
}
