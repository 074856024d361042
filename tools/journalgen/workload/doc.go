// Package workload generates a realistic, valid sequence of tekstore state
// machine commands: providers, batches of authorizations issued ahead of
// use, one publish per submission with a full set of daily keys, and
// periodic checkpoint seals. tools/journalgen writes it into an event
// journal to measure `tekstore rebuild`; tests use it to fill clusters.
package workload
