// Package faultproxy is an in-process TCP proxy for fault-injection tests of a
// tekstore cluster on 127.0.0.1, where no netem or iptables is available.
//
// A Proxy listens on 127.0.0.1:0 and forwards every accepted connection to
// one target address. Tests change its faults at any time, also while
// connections are live:
//
//   - SetLatency(d, jitter) delays every chunk of bytes, in each direction, by
//     d plus or minus a uniform jitter. Each direction of a connection keeps a
//     FIFO queue of timestamped chunks and a chunk is never released before the
//     one read before it, so jitter never reorders bytes.
//   - SetBandwidth(bytesPerSec) caps each direction of the proxy (all its
//     connections together, like one full-duplex link) with a token bucket;
//     0 means unlimited. Bytes are metered when read from the sender, before
//     the latency queue, so the cap applies backpressure as a slow link would.
//   - Partition() resets (TCP RST) every live connection, and every connection
//     accepted while partitioned is reset at once: to the nodes this looks
//     like a peer that refuses connections, so they notice quickly.
//   - Blackhole() forwards nothing: live connections stall with their bytes
//     held, and new connections are accepted (the kernel completes the
//     handshake) but the target is not dialled. This is what a real network
//     partition that drops packets looks like to TCP: reads and writes hang
//     until the peer's own timeouts fire. Heal() ends either mode; held bytes
//     are then delivered in order, as TCP retransmission would.
//   - ResetAll() resets every current connection once and leaves the proxy
//     healthy; DropProbability(p) resets each newly accepted connection with
//     probability p.
//
// Stats reports the bytes forwarded each way and the connections accepted,
// rejected at accept and reset.
//
// # Cluster wiring
//
// Net builds a link matrix: one Proxy per directed pair of nodes. Node A
// reaches node B through the proxy of link A->B, so partitions between any
// groups of nodes are exact, and one-way faults are possible. A test starts
// each node with the per-peer address map from Net.DialAddrs(from) (real
// address of the peer -> proxy address of the link), which the node applies
// through its "dial address override" hook when its Raft stream layer dials a
// peer. The connection A opened carries both A's requests and B's answers,
// so a fault on link A->B affects both directions of A-initiated traffic and
// leaves B-initiated traffic (link B->A) alone.
//
// The proxy only carries TCP. Memberlist gossip also uses UDP, which bypasses
// the proxies: tests that partition nodes must not expect gossip liveness to
// follow the partition unless gossip is configured to use TCP only.
package faultproxy
