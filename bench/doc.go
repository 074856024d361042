// Package bench is tekstore's load generator, behind `tekstore bench` and
// `make bench`. It drives a cluster through the client library (publish,
// delta, full, checkpoint, longpoll, fill scenarios), measures throughput
// and latency percentiles, and can start its own local three-node cluster of
// real `tekstore serve` processes. Every run is bounded in time and count
// and talks only to the URLs it is given or to 127.0.0.1.
package bench
