package node

import (
	"fmt"
	"time"

	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"go.etcd.io/bbolt"
)

// raftStoreOpenTimeout bounds the wait for another process's lock on the
// Raft store (two nodes pointed at one data directory by mistake).
const raftStoreOpenTimeout = 10 * time.Second

// openRaftStore opens the bbolt file holding the Raft log and stable store,
// waiting at most lockWait for another process's lock (bbolt.ErrTimeout).
// bbolt's other options stay at their defaults: not syncing the freelist,
// or keeping it as a hash map, made no measurable difference to the
// publish benchmark.
func openRaftStore(path string, lockWait time.Duration) (*raftboltdb.BoltStore, error) {
	store, err := raftboltdb.New(raftboltdb.Options{
		Path: path,
		BoltOptions: &bbolt.Options{
			Timeout: lockWait,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("open raft store %s: %w", path, err)
	}
	return store, nil
}
