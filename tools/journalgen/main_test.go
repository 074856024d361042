package main

import (
	"path/filepath"
	"testing"

	"github.com/tekstore/tekstore/journal"
)

func TestRunWritesJournal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "j")
	if err := run([]string{"--out", out, "--submissions", "120", "--auth-batch", "50", "--providers", "2", "--seal-every", "0"}); err != nil {
		t.Fatalf("run: %v", err)
	}
	st, err := journal.Verify(out)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// 2 providers, 3 authorization batches, 120 publishes, from index 3.
	if st.Records != 125 || st.FirstIndex != 3 || st.LastIndex != 127 {
		t.Fatalf("journal stats %+v, want 125 records at 3..127", st)
	}
	if err := run([]string{"--out", out, "--submissions", "1"}); err == nil {
		t.Fatal("run over an existing journal succeeded")
	}
}
