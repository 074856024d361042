// Package history records client operation histories against a tekstore
// cluster and checks them for anomalies.
//
// The public model (api.md §3-§5) seen by a client is a set of keys. A
// publish adds keys and, when it succeeds, reports the seq (Raft log index)
// of the entry that added them; a revocation (rollback, single-key
// revocation, revisionToken de-registration) removes keys and reports its
// seq; a read returns the keys visible at some node together with the index
// that node had applied. Reads are served from a node's local state, so a
// follower may lag; min_index=N makes it wait until it has applied N.
//
// # Recording
//
// A Recorder stamps operations with monotonic nanoseconds since it was made.
// Call Begin before sending a request and exactly one of Pending.Ok (the
// server confirmed), Pending.Fail (the request certainly had no effect, e.g.
// a 4xx answer) or Pending.Unknown (timeout, connection reset, 5xx: it may
// or may not have taken effect) after. Reads record the full visible set (a
// Replica applies /v1/keys deltas and keeps duplicates so they can be
// caught) and Output.Index, the node's applied index (X-Tekstore-Index) that
// the set reflects. Record only complete reads (never a page with more=true),
// and record the final read of each node after the cluster has healed.
//
// # Checkers
//
// Each checker returns nil or an error wrapping one sentinel, naming the
// offending operations; keys are named by a short fingerprint, never by
// their bytes:
//
//   - CheckNoLostPublish: every key of a confirmed publish is in the final
//     state unless a revocation naming it was confirmed or may have happened.
//   - CheckNoDuplicateKeys: no read shows a key twice.
//   - CheckNoPhantomKeys: every key read was sent by a publish that did not
//     certainly fail, and no read that returned before any such publish was
//     invoked shows it.
//   - CheckNoRevokedReappear: a read whose state covers a confirmed
//     revocation (its index, or the min_index it asked for, is at least the
//     revocation's seq) does not show a revoked key, unless the key was
//     published again after the revocation was invoked. A bare "the read
//     started after the revocation returned" is not enough: a follower
//     serving a read without min_index may lawfully lag.
//   - CheckMinIndexHonoured: no successful read reports an index below the
//     min_index it asked for.
//   - CheckDigestsEqual: all nodes report the same state digest.
//
// # Linearizability
//
// CheckLinearizable runs porcupine with a model whose state, per key, is
// whether the key is present. Reads at followers are not linearizable in
// real time, so the property checked is the one Raft provides: there is a
// single order of all writes (the log, by seq) consistent with real time,
// and every read at index I sees exactly the writes of seq <= I. It is
// encoded as follows.
//
//   - A confirmed write carries its seq; writes must be linearized in seq
//     order (equal seqs are allowed for idempotent retries that had the same
//     effect). Its interval is [Call, Return].
//   - A write with unknown outcome has an infinite return time (porcupine's
//     convention) and, if linearized, gets an unknown seq above every seq
//     linearized so far.
//   - A read with index I must be linearized after every confirmed write of
//     seq <= I on its key and before every write of seq > I, must have
//     I >= min_index, and must see the key's presence of that point. Its
//     interval is [max Call of the confirmed writes (on any key) with seq <=
//     I, Return]: the state at I was committed before the read returned and
//     after those writes were invoked, but may predate the read's own call.
//
// So a read with min_index = the client's last observed seq sees all of
// that client's earlier writes and everything they saw (session
// consistency), and any read is ordered in real time against every write
// whose seq it covers or does not cover. The history is partitioned by key
// (porcupine Partition); keys whose projected histories are identical are
// checked once. Partitioning makes the check sound but not complete: an
// Illegal result is a real violation, while anomalies only visible across
// keys may pass.
package history
