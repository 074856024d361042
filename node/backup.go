package node

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"google.golang.org/protobuf/encoding/protodelim"
)

// ErrBadBackup reports a file or stream that is not a readable backup.
var ErrBadBackup = errors.New("not a valid backup")

// maxMetaBytes bounds the meta record read by ReadBackupMeta.
const maxMetaBytes = 1 << 20

// BackupInfo describes a backup: a snapshot stream of the whole state
// (fsm.SnapshotMagic followed by length-delimited records, the first being
// the meta record).
type BackupInfo struct {
	// Index is the log index of the last command the backup reflects.
	Index uint64
	// Retention is the key retention window the state was built with; a
	// node restoring it must run with the same value.
	Retention time.Duration
	// LeaderTime is the leader time of the last applied command.
	LeaderTime time.Time
	// Digest is the state digest (fsm.State.Digest) of the backup's state.
	Digest string
	// Bytes is the size of the backup.
	Bytes int64
}

// ReadBackupMeta reads the header and meta record at the start of a backup
// stream; it consumes only the bytes it needs from a buffered reader.
func ReadBackupMeta(r io.Reader) (*fsmpb.SnapshotMeta, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	magic := make([]byte, len(fsm.SnapshotMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != fsm.SnapshotMagic {
		return nil, fmt.Errorf("%w: missing %q header", ErrBadBackup, fsm.SnapshotMagic[:7])
	}
	rec := &fsmpb.SnapshotRecord{}
	if err := (protodelim.UnmarshalOptions{MaxSize: maxMetaBytes}).UnmarshalFrom(br, rec); err != nil {
		return nil, fmt.Errorf("%w: read meta record: %v", ErrBadBackup, err)
	}
	meta := rec.GetMeta()
	if meta == nil {
		return nil, fmt.Errorf("%w: first record is not the meta record", ErrBadBackup)
	}
	return meta, nil
}

// LoadBackup reads the backup file at path into a fresh state built with
// the backup's own retention, and returns it with the backup's description.
// It is how every tool checks that a backup is complete and restorable.
func LoadBackup(path string) (*fsm.State, BackupInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, BackupInfo{}, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	meta, err := ReadBackupMeta(f)
	if err != nil {
		return nil, BackupInfo{}, fmt.Errorf("backup %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, BackupInfo{}, fmt.Errorf("rewind backup: %w", err)
	}
	retention := time.Duration(meta.RetentionMs) * time.Millisecond
	st := fsm.New(fsm.Config{Retention: retention})
	cr := &countingReader{r: f}
	if err := st.Restore(cr); err != nil {
		return nil, BackupInfo{}, fmt.Errorf("backup %s: %w: %w", path, ErrBadBackup, err)
	}
	info := BackupInfo{Index: st.Index(), Retention: retention, LeaderTime: st.Now(), Digest: st.Digest(), Bytes: cr.n}
	return st, info, nil
}

// WriteBackup writes the state's snapshot stream to path atomically: into
// a temporary file in the same directory, synced, then renamed over path.
// It returns the backup's description. The state may change meanwhile: the
// file reflects the moment WriteBackup froze it.
func WriteBackup(path string, st *fsm.State) (BackupInfo, error) {
	frozen := st.Freeze()
	var n int64
	// The digest is the SHA-256 of the stream (fsm.State.Digest), so it is
	// computed while writing instead of serialising the state twice.
	sum := sha256.New()
	err := WriteFileAtomic(path, func(w io.Writer) error {
		var err error
		n, err = frozen.WriteTo(io.MultiWriter(w, sum))
		return err
	})
	if err != nil {
		return BackupInfo{}, err
	}
	return BackupInfo{Index: frozen.AppliedIndex(), Retention: st.Retention(), LeaderTime: st.Now(),
		Digest: hex.EncodeToString(sum.Sum(nil)), Bytes: n}, nil
}

// WriteFileAtomic creates path with the bytes write produces, so that path
// holds either its old contents or the complete new file, never a part.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	return WriteFileChecked(path, write, nil)
}

// WriteFileChecked is WriteFileAtomic with a check of the complete
// temporary file (given its path) before it replaces path; a failed check
// leaves path as it was.
func WriteFileChecked(path string, write func(io.Writer) error, check func(tmpPath string) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if check != nil {
		if err = check(tmp.Name()); err != nil {
			return err
		}
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
