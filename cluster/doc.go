// Package cluster holds the vocabulary that the Raft layer (node/) and the
// HTTP layer (transport/) share: the description of a member, a node's own
// replication status, the function type of publish forwarding, and the
// sentinel errors of the Raft layer. It imports nothing of Raft, so the HTTP
// layer builds and tests without it (as etcd keeps its errors apart from its
// server).
package cluster
