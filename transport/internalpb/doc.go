// Package internalpb holds the protobuf messages nodes exchange with each
// other outside Raft (forwarded publish batches). Generated from
// internal.proto.
package internalpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative internal.proto
