// Package transport is tekstore's HTTP API (spec §2-§7) on gorilla/mux: one
// file per resource, one error vocabulary mapped to status codes in
// errors.go, strict JSON decoding, role checks, the X-Tekstore-Node and
// X-Tekstore-Index headers, min_index waits, and forwarding of writes from
// followers to the leader.
//
// Handlers talk to the node through the narrow Store interface, so they can
// be tested without Raft.
package transport
