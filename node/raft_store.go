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
//
// The freelist is not written on commit (NoFreelistSync) and is kept as a
// hash map: a commit then writes only the pages it changed and the meta
// page, and the freelist is rebuilt by one scan when the file is opened.
// The Raft log is bounded by snapshots (--snapshot-log-bytes), so that scan
// stays short. Every commit is still synced before raft acknowledges it.
func openRaftStore(path string, lockWait time.Duration) (*raftboltdb.BoltStore, error) {
	store, err := raftboltdb.New(raftboltdb.Options{
		Path: path,
		BoltOptions: &bbolt.Options{
			Timeout:        lockWait,
			NoFreelistSync: true,
			FreelistType:   bbolt.FreelistMapType,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("open raft store %s: %w", path, err)
	}
	return store, nil
}
