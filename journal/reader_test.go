package journal

import (
	"errors"
	"io"
	"path/filepath"
	"testing"
)

func TestReaderStartsBeforeFirstRecord(t *testing.T) {
	dir := t.TempDir()
	r, err := NewReader(dir, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("Next on an empty journal: %v, want io.EOF", err)
	}
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Close() }()
	if err := w.Append(5, 2, []byte("five")); err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next()
	if err != nil || rec.Index != 5 || rec.Term != 2 || string(rec.Data) != "five" {
		t.Fatalf("Next = %+v, %v", rec, err)
	}
	if r.LastIndex() != 5 {
		t.Fatalf("LastIndex = %d, want 5", r.LastIndex())
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("Next at the end: %v, want io.EOF", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v, want ErrClosed", err)
	}
}

func TestNewReaderNeedsDirectory(t *testing.T) {
	dir := t.TempDir()
	writeJournal(t, dir, Options{}, entries(1, 2, 3))
	for _, p := range []string{filepath.Join(dir, "missing"), segmentPaths(t, dir)[0]} {
		if _, err := NewReader(p, ReadOptions{}); err == nil {
			t.Fatalf("NewReader(%s) succeeded", p)
		}
	}
}
