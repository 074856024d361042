// Package e2e tests the tekstore binary from outside: it builds the real
// command, runs `tekstore serve` and `tekstore dev` as processes on free
// local ports, drives them with the CLI and the client library, restarts
// them on the same data directory and checks that nothing was lost.
package e2e
