package node

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tekstore/tekstore/journal"
)

func TestBackupRoundTripKeepsDigestAndRetention(t *testing.T) {
	st := writeJournal(t, t.TempDir(), smallWorkload(50), journal.Options{})
	path := filepath.Join(t.TempDir(), "b.snap")
	info, err := WriteBackup(path, st)
	if err != nil {
		t.Fatalf("WriteBackup: %v", err)
	}
	loaded, got, err := LoadBackup(path)
	if err != nil {
		t.Fatalf("LoadBackup: %v", err)
	}
	if got.Digest != st.Digest() || got.Index != st.Index() || got.Retention != st.Retention() || got != info {
		t.Fatalf("LoadBackup = %+v, WriteBackup = %+v, state digest %s index %d", got, info, st.Digest(), st.Index())
	}
	if loaded.Digest() != st.Digest() {
		t.Fatal("loaded state differs")
	}
}

func TestReadBackupMetaRejectsOtherFiles(t *testing.T) {
	for name, in := range map[string]string{
		"empty":     "",
		"no magic":  "hello world, not a backup",
		"no record": "TEKSNAP\n",
		"garbage":   "TEKSNAP\n\xff\xff\xff\xff\xff\xff",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ReadBackupMeta(strings.NewReader(in)); !errors.Is(err, ErrBadBackup) {
				t.Fatalf("ReadBackupMeta(%q) error %v, want ErrBadBackup", in, err)
			}
		})
	}
}

func TestLoadBackupRejectsTruncatedFile(t *testing.T) {
	st := writeJournal(t, t.TempDir(), smallWorkload(50), journal.Options{})
	var buf bytes.Buffer
	if _, err := st.Freeze().WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.snap")
	if err := os.WriteFile(path, buf.Bytes()[:buf.Len()-7], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadBackup(path); !errors.Is(err, ErrBadBackup) {
		t.Fatalf("LoadBackup of a truncated file: %v, want ErrBadBackup", err)
	}
}

func TestWriteFileCheckedKeepsOldFileOnFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := errors.New("check failed")
	err := WriteFileChecked(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "new")
		return err
	}, func(string) error { return bad })
	if !errors.Is(err, bad) {
		t.Fatalf("WriteFileChecked error %v, want the check's", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("file holds %q after a failed check", b)
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Fatalf("temporary file left behind: %v", ents)
	}
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("file holds %q, want new", b)
	}
}

func TestParseJournalRetention(t *testing.T) {
	tests := []struct {
		in    string
		age   time.Duration
		bytes int64
		bad   bool
	}{
		{in: "", age: 0},
		{in: "forever"},
		{in: "0"},
		{in: "720h", age: 720 * time.Hour},
		{in: "90d", age: 90 * 24 * time.Hour},
		{in: "50GB", bytes: 50e9},
		{in: "512MiB", bytes: 512 << 20},
		{in: "100B", bytes: 100},
		{in: "-1h", bad: true},
		{in: "0d", bad: true},
		{in: "ten days", bad: true},
		{in: "12XB", bad: true},
		{in: "GB", bad: true},
	}
	for _, tt := range tests {
		age, b, err := ParseJournalRetention(tt.in)
		if tt.bad {
			if !errors.Is(err, ErrBadRetention) {
				t.Errorf("ParseJournalRetention(%q) error %v, want ErrBadRetention", tt.in, err)
			}
			continue
		}
		if err != nil || age != tt.age || b != tt.bytes {
			t.Errorf("ParseJournalRetention(%q) = %v, %d, %v; want %v, %d", tt.in, age, b, err, tt.age, tt.bytes)
		}
	}
}
