// Package fsmpb holds the protobuf messages of the Raft log (Envelope and the
// command payloads) and of state snapshots. Generated from command.proto.
package fsmpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative command.proto
