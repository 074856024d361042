// Package faults proves tekstore's promises under injected network and
// process failures: a Jepsen-style harness, workload, nemesis and checker
// run for the short tests of `make test` and the long `make soak`.
//
// # Harness
//
// A Cluster runs every node as a real operating-system process: the
// current executable (the test binary, or the soak driver) re-executed
// with the environment variable NodeEnv holding the node's description.
// IsNodeProcess and NodeMain turn such a process into one tekstore node
// (server.Start, as `tekstore serve` does), so SIGKILL, SIGSTOP/SIGCONT and
// restarts on the same data directory are the real thing. Nodes sit in
// simulated data centers on 127.0.0.1.
//
// All traffic between nodes that can be proxied passes through
// faultproxy: one proxy per directed pair of nodes for Raft
// (server.Options.RaftDial maps a peer's real Raft address to the proxy of
// the link) and a second matrix for node-to-node HTTP, i.e. forwarded
// writes, joins and membership requests (server.Options.PeerDial). Gossip
// (memberlist) uses UDP and is not proxied: a partition does not stop
// gossip, so `alive` in the cluster status does not follow it. Clients talk
// to the nodes directly, as if each client sat in its node's data center.
// The API's rate limits are disabled (negative rates) because every client
// shares 127.0.0.1.
//
// # Nemesis
//
// A Nemesis injects faults on a schedule drawn from a seeded RNG and logs
// each with its time: latency between data centers (40 ms +- 10 ms each
// way by default, set for the whole run), isolating a follower or the
// leader, minority/majority splits, connection resets, bandwidth limits,
// black holes, SIGKILL of the leader or a follower and restart, SIGSTOP for
// 5 s, and membership changes (adding and removing a voter and a
// non-voter) under load.
//
// # Workload and checks
//
// A Workload runs publishers with pre-issued codes (each retries the same
// request after a timeout or a 5xx, rotating nodes, until a deadline),
// rollbacks, single-key revocations and revisionToken de-registrations,
// and one reader per node that keeps a client-side replica with
// history.Replica from /v1/keys deltas, alternating min_index = the
// highest seq seen by anyone (fresh reads) and min_index = its own last
// index (session reads, which an isolated node still serves). Every
// operation goes into a history.Recorder. After the faults stop, Verify
// heals everything, waits for a quiet cluster, reads the whole set from
// every node, compares every node's state digest (the X-Tekstore-Backup-
// Digest trailer of GET /v1/backup, the SHA-256 of the node's state), and
// runs history.CheckAll and history.CheckLinearizable.
package faults
