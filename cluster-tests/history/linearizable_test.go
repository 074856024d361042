package history

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckLinearizable(t *testing.T) {
	tests := []struct {
		name string
		ops  []Op
		want error // nil: linearizable
	}{
		{
			name: "linearizable with stale follower reads and unknown outcomes",
			ops: []Op{
				publish(0, 0, 10, 5, 1),
				publish(1, 5, 20, 7, 2),
				read(2, 12, 18, 0, 4),       // stale follower: sees neither
				read(2, 19, 22, 0, 5, 1),    // sees only the first
				read(0, 25, 30, 7, 7, 1, 2), // min_index = own last seq
				revoke(0, 31, 40, 9, 1),
				read(1, 41, 50, 9, 9, 2),
				publishUnknown(2, 51, 55, 3),
				read(0, 60, 70, 9, 9, 2),     // the unknown publish not (yet) seen
				read(1, 71, 80, 9, 12, 2, 3), // and now it is
				publishFailed(2, 81, 85, 4),
				read(2, 86, 90, 12, 12, 2, 3),
			},
		},
		{
			name: "unknown publish that never took effect",
			ops:  []Op{publishUnknown(0, 0, 10, 1), read(1, 20, 30, 0, 50)},
		},
		{
			name: "idempotent repeat of a revoke with the same seq",
			ops: []Op{publish(0, 0, 10, 5, 1), revoke(0, 20, 30, 8, 1), revoke(1, 40, 50, 8, 1),
				read(2, 60, 70, 8, 8)},
		},
		{
			name: "stale read after a confirmed publish, min_index beyond its seq",
			ops:  []Op{publish(0, 0, 10, 5, 1), read(0, 20, 30, 6, 6)},
			want: ErrNotLinearizable,
		},
		{
			name: "read answered below its min_index",
			ops:  []Op{publish(0, 0, 10, 5, 1), read(0, 20, 30, 5, 4)},
			want: ErrNotLinearizable,
		},
		{
			name: "revoked key visible at an index covering the revoke",
			ops:  []Op{publish(0, 0, 10, 5, 1), revoke(0, 20, 30, 8, 1), read(1, 40, 50, 0, 8, 1)},
			want: ErrNotLinearizable,
		},
		{
			name: "key of an unknown publish seen, then gone without a revoke",
			ops: []Op{publishUnknown(0, 0, 10, 1), read(1, 20, 30, 0, 10, 1),
				read(1, 40, 50, 10, 12)},
			want: ErrNotLinearizable,
		},
		{
			name: "seq order contradicts real time",
			ops:  []Op{publish(0, 0, 10, 10, 1), revoke(1, 20, 30, 8, 1)},
			want: ErrNotLinearizable,
		},
		{
			name: "read covers a write invoked after the read returned",
			ops:  []Op{read(0, 0, 10, 0, 5, 1), publish(1, 20, 30, 5, 1)},
			want: ErrNotLinearizable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckLinearizable(tt.ops, LinearizabilityOptions{Timeout: 10 * time.Second})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected failure: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCheckLinearizableWritesVisualisation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.html")
	ops := []Op{publish(0, 0, 10, 5, 1, 2), read(1, 20, 30, 6, 6, 2)}
	err := CheckLinearizable(ops, LinearizabilityOptions{VisualizationPath: path})
	if !errors.Is(err, ErrNotLinearizable) {
		t.Fatalf("err = %v, want ErrNotLinearizable", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("error does not name the visualisation: %v", err)
	}
	if want := key(1).String(); !strings.Contains(err.Error(), want) {
		t.Fatalf("error does not name failing key %s: %v", want, err)
	}
	if strings.Contains(err.Error(), key(2).String()) {
		t.Fatalf("error names a key that is fine: %v", err)
	}
	html, rerr := os.ReadFile(path)
	if rerr != nil {
		t.Fatalf("visualisation not written: %v", rerr)
	}
	if !strings.Contains(string(html), "<html") {
		t.Fatalf("visualisation is not HTML (%d bytes)", len(html))
	}
}

func TestCheckLinearizableSimulatedCluster(t *testing.T) {
	ops := simulate(t, 7, 600)
	if err := CheckAll(ops, nil, nil); err != nil && !errors.Is(err, ErrLostPublish) {
		t.Fatalf("simulated history breaks a checker: %v", err)
	}
	start := time.Now()
	if err := CheckLinearizable(ops, LinearizabilityOptions{Timeout: 30 * time.Second}); err != nil {
		t.Fatalf("simulated cluster history: %v", err)
	}
	t.Logf("checked %d ops in %v", len(ops), time.Since(start))

	// Drop one key from the last read that covers a live key: now stale.
	for i := len(ops) - 1; i >= 0; i-- {
		if ops[i].Kind == KindRead && ops[i].Succeeded() && len(ops[i].Output.Keys) > 0 {
			ops[i].Output.Keys = ops[i].Output.Keys[1:]
			break
		}
	}
	if err := CheckLinearizable(ops, LinearizabilityOptions{Timeout: 30 * time.Second}); !errors.Is(err, ErrNotLinearizable) {
		t.Fatalf("history with a key dropped from a read: err = %v, want ErrNotLinearizable", err)
	}
}
