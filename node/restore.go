package node

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
)

// restorePendingFile holds a backup that `tekstore restore` placed in a
// new data directory; the next Open installs it as the node's first Raft
// snapshot, with a configuration naming only that node.
const restorePendingFile = "restore-pending.snap"

// restoreTerm is the Raft term of an installed backup: the restored node
// starts a new cluster, so term 1 as after a bootstrap.
const restoreTerm = 1

// keyCurrentTerm is hashicorp/raft's stable-store key for the current term
// (raft.go); a restored node starts at restoreTerm like its snapshot.
var keyCurrentTerm = []byte("CurrentTerm")

// Errors of restore and recover.
var (
	// ErrHasState: the data directory already holds Raft state or a journal,
	// so a restore would mix two histories.
	ErrHasState = errors.New("data directory already holds state")
	// ErrEmptyBackup: the backup reflects no command at all.
	ErrEmptyBackup = errors.New("backup holds no state")
)

// Restore prepares dataDir to start a new cluster from the backup at from:
// it checks the backup by loading it, refuses a directory that already
// holds Raft state or a journal (ErrHasState), and stores the backup as
// dataDir/restore-pending.snap. The next `serve` on dataDir installs it as a
// single-voter cluster of that node at the backup's index, so seqs continue
// and clients' since values stay valid.
func Restore(dataDir, from string) (BackupInfo, error) {
	_, info, err := LoadBackup(from)
	if err != nil {
		return BackupInfo{}, err
	}
	if info.Index == 0 {
		return BackupInfo{}, fmt.Errorf("%s: %w: start the node with --bootstrap instead", from, ErrEmptyBackup)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return BackupInfo{}, fmt.Errorf("create data directory: %w", err)
	}
	if what, found, err := existingState(dataDir); err != nil {
		return BackupInfo{}, err
	} else if found {
		return BackupInfo{}, fmt.Errorf("%s has %s: %w; restore into a new, empty directory", dataDir, what, ErrHasState)
	}
	src, err := os.Open(from)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("open backup: %w", err)
	}
	defer src.Close()
	err = WriteFileAtomic(filepath.Join(dataDir, restorePendingFile), func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
	if err != nil {
		return BackupInfo{}, err
	}
	return info, nil
}

// existingState reports what in dataDir shows earlier use: a Raft store,
// snapshots, or journal segments.
func existingState(dataDir string) (string, bool, error) {
	if _, err := os.Stat(filepath.Join(dataDir, raftDBFile)); err == nil {
		return "a Raft store (" + raftDBFile + ")", true, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", false, fmt.Errorf("inspect data directory: %w", err)
	}
	for _, sub := range []string{snapshotsDir, journalDirName} {
		ents, err := os.ReadDir(filepath.Join(dataDir, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", false, fmt.Errorf("inspect data directory: %w", err)
		}
		if len(ents) > 0 {
			return "a non-empty " + sub + " directory", true, nil
		}
	}
	return "", false, nil
}

// installPendingRestore turns a backup left by Restore into this node's
// first Raft snapshot, with a configuration of only this node as voter,
// before Raft starts. A crash after the snapshot was written but before the
// pending file was removed is finished on the next Open.
func (n *Node) installPendingRestore(store *raftboltdb.BoltStore, snaps *raft.FileSnapshotStore) error {
	path := filepath.Join(n.cfg.DataDir, restorePendingFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("inspect pending restore: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open pending restore: %w", err)
	}
	defer f.Close()
	meta, err := ReadBackupMeta(f)
	if err != nil {
		return fmt.Errorf("pending restore %s: %w", path, err)
	}
	hasState, err := raft.HasExistingState(store, store, snaps)
	if err != nil {
		return fmt.Errorf("inspect raft state: %w", err)
	}
	if hasState {
		if installed(snaps, meta.AppliedIndex) {
			return removePending(path)
		}
		return fmt.Errorf("pending restore %s: %w (raft state present); remove one of them", path, ErrHasState)
	}
	if want := n.state.Retention(); meta.RetentionMs != want.Milliseconds() {
		return fmt.Errorf("pending restore %s: backup retention %dms differs from this node's retention %s; start with the cluster's retention",
			path, meta.RetentionMs, want)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind pending restore: %w", err)
	}
	conf := raft.Configuration{Servers: []raft.Server{{ID: raft.ServerID(n.cfg.ID), Address: n.trans.LocalAddr(), Suffrage: raft.Voter}}}
	sink, err := snaps.Create(raft.SnapshotVersionMax, meta.AppliedIndex, restoreTerm, conf, meta.AppliedIndex, n.trans)
	if err != nil {
		return fmt.Errorf("create snapshot from backup: %w", err)
	}
	if _, err := io.Copy(sink, f); err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("write snapshot from backup: %w", err)
	}
	if err := sink.Close(); err != nil {
		return fmt.Errorf("finish snapshot from backup: %w", err)
	}
	if err := store.SetUint64(keyCurrentTerm, restoreTerm); err != nil {
		return fmt.Errorf("set raft term: %w", err)
	}
	n.log.Info().Uint64("index", meta.AppliedIndex).Str("raft_addr", string(n.trans.LocalAddr())).
		Msg("installed restored backup as a new single-voter cluster")
	return removePending(path)
}

// installed reports whether snaps holds a snapshot at index (an install
// that crashed before removing the pending file).
func installed(snaps *raft.FileSnapshotStore, index uint64) bool {
	list, err := snaps.List()
	if err != nil {
		return false
	}
	for _, m := range list {
		if m.Index == index && m.Term == restoreTerm {
			return true
		}
	}
	return false
}

func removePending(path string) error {
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove pending restore: %w", err)
	}
	return syncDir(filepath.Dir(path))
}
