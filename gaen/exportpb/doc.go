// Package exportpb holds the protobuf messages of the Apple/Google Exposure
// Notification key export file (export.bin and export.sig), generated from
// export.proto with protoc-gen-go. The field numbers are the published ones.
//
// Regenerate with `go generate ./gaen/exportpb` (needs protoc and
// protoc-gen-go on PATH).
package exportpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative export.proto
