// Package secrets holds tekstore's small cryptographic helpers: the cluster
// pepper, keyed hashes of authorization codes, bearer tokens and their
// hashes, revision tokens, random ids and constant-time comparison.
//
// The pepper is derived from the admin token, which every node of a cluster
// is given, so all nodes derive the same pepper without storing it. Every
// use of the pepper is domain-separated by a fixed label, so a value computed
// for one purpose (say a code hash) can never be mistaken for another (a
// revision token) even for the same input.
//
// Nothing in this package logs, and Pepper refuses to print itself.
package secrets
