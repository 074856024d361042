// Package fsm is tekstore's deterministic state machine: providers, code
// authorizations (stored only as keyed hashes), submissions, the public key
// set ordered by seq (the Raft index of the entry that made a change), the
// revocation history, expiry and sealed checkpoints.
//
// Apply takes a log index and an encoded fsmpb.Envelope. It reads no clock, no
// network and no random source: time travels in the envelope (the leader's
// clock when it proposed), and ids, codes and padding keys are made by the
// proposer. The same log applied to two fresh State values therefore gives the
// same Digest. An entry that cannot be decoded, or names a command type or
// version this code does not know, yields a *FatalError carrying the index:
// the node must stop rather than diverge.
//
// Reads (Delta, Submission, Provider, ...) take a read lock and may run
// concurrently with Apply.
package fsm
