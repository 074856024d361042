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
// real time, so the property checked is the one Raft provides: there is one
// order of all operations, the log order, in which writes sit at their seq
// and a read with index I sits just after entry I and sees exactly the
// writes of seq <= I; and that order is consistent with real time once each
// read's interval is widened to where its state could have been current.
// It is encoded as follows.
//
//   - A confirmed write carries its seq and is linearized in [Call, Return]
//     at log position seq: after every operation at a lower position.
//   - A write with unknown outcome has an infinite return time (porcupine's
//     convention: linearizing it last means it never happened); if
//     linearized earlier it takes the lowest position still free, which is
//     the most permissive choice.
//   - A read with index I must have I >= min_index, comes after every
//     confirmed write of seq <= I on its key, before every write of seq > I,
//     after reads with lower indexes, and must see the key's presence there.
//     Its interval is [latest Call of the confirmed writes (on any key) with
//     seq <= I, Return]: the state at I was committed after those writes
//     were invoked and before the read returned, but may predate the read's
//     own call (a lagging follower).
//
// A read with min_index = the client's last observed seq therefore sees all
// of that client's earlier writes and everything its earlier reads saw
// (session consistency), and every read is ordered in real time against the
// writes whose seq it covers or does not cover. The history is partitioned
// by key (porcupine Partition) and keys whose projected histories are
// identical are checked once. The check is sound, not complete: an Illegal
// result is a real violation of the property (given that every recorded
// seq and index is what the server reported), while anomalies only visible
// across keys, or hidden by the permissive choice for unknown writes, may
// pass. Record Output.Index honestly: an index higher than the state a read
// reflects can make a correct history fail.
package history
