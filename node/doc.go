// Package node runs one tekstore cluster member: hashicorp/raft with
// raft-boltdb for the log and stable store and a file snapshot store, the
// adapter that feeds committed entries to the pure fsm.State, proposal of
// commands stamped with the leader's time, waiting for applied indexes, and
// the leader's periodic work (ticks for embargo and expiry, checkpoint seals).
package node
