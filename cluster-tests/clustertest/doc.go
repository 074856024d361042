// Package clustertest starts real tekstore clusters inside a test process:
// every node runs server.Start on 127.0.0.1 with port 0 (Raft, HTTP,
// gossip), a temporary data directory and short Raft timeouts. It offers
// the waits the cluster tests need (leader, new leader, applied index, equal
// state digests), fault actions (Kill, Restart, AddNode) and small HTTP
// helpers to create providers, issue codes and publish keys. No helper
// sleeps for a fixed time: all waits poll with a deadline.
package clustertest
