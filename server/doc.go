// Package server assembles one tekstore process: the Raft node, the HTTP
// API with the routes of every part, gossip membership, and the listeners.
// `tekstore serve`, `tekstore dev` and the in-process cluster tests all start
// nodes through Start, so they run the same code.
package server
