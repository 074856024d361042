package history

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckers(t *testing.T) {
	tests := []struct {
		name  string
		check func(ops []Op, final []Key) error
		ops   []Op
		final []Key
		want  error // nil: must pass
	}{
		{
			name:  "lost publish: all confirmed keys present",
			check: CheckNoLostPublish,
			ops:   []Op{publish(0, 0, 10, 5, 1, 2), publishUnknown(1, 0, 10, 3), publishFailed(2, 0, 10, 4)},
			final: keys(1, 2),
		},
		{
			name:  "lost publish: revoked or maybe-revoked keys may be gone",
			check: CheckNoLostPublish,
			ops: []Op{publish(0, 0, 10, 5, 1, 2, 3), revoke(0, 20, 30, 8, 2),
				{Kind: KindRevoke, Input: Input{Keys: keys(3)}, Call: 40, Return: 50, Err: errTimeout, Unknown: true}},
			final: keys(1),
		},
		{
			name:  "lost publish: confirmed key missing",
			check: CheckNoLostPublish,
			ops:   []Op{publish(0, 0, 10, 5, 1, 2), revoke(0, 20, 30, 8, 9)},
			final: keys(1),
			want:  ErrLostPublish,
		},
		{
			name:  "duplicates: none",
			check: func(ops []Op, _ []Key) error { return CheckNoDuplicateKeys(ops) },
			ops:   []Op{read(0, 0, 10, 0, 3, 1, 2, 3)},
		},
		{
			name:  "duplicates: key twice in a read",
			check: func(ops []Op, _ []Key) error { return CheckNoDuplicateKeys(ops) },
			ops:   []Op{read(0, 0, 10, 0, 3, 1, 2, 1)},
			want:  ErrDuplicateKey,
		},
		{
			name:  "duplicates: failed reads are ignored",
			check: func(ops []Op, _ []Key) error { return CheckNoDuplicateKeys(ops) },
			ops:   []Op{{Kind: KindRead, Output: Output{Keys: keys(1, 1)}, Err: errTimeout}},
		},
		{
			name:  "phantom: every key was sent",
			check: CheckNoPhantomKeys,
			ops:   []Op{publish(0, 0, 10, 5, 1), publishUnknown(1, 5, 15, 2), read(2, 8, 20, 0, 6, 1, 2)},
			final: keys(1, 2),
		},
		{
			name:  "phantom: key no one sent",
			check: CheckNoPhantomKeys,
			ops:   []Op{publish(0, 0, 10, 5, 1), read(2, 20, 30, 0, 6, 1, 7)},
			want:  ErrPhantomKey,
		},
		{
			name:  "phantom: key of a failed publish",
			check: CheckNoPhantomKeys,
			ops:   []Op{publishFailed(0, 0, 10, 1)},
			final: keys(1),
			want:  ErrPhantomKey,
		},
		{
			name:  "phantom: key seen before it was sent",
			check: CheckNoPhantomKeys,
			ops:   []Op{read(0, 0, 10, 0, 6, 1), publish(1, 20, 30, 5, 1)},
			want:  ErrPhantomKey,
		},
		{
			name:  "revoked: gone from covering reads, stale read may still show it",
			check: func(ops []Op, _ []Key) error { return CheckNoRevokedReappear(ops) },
			ops: []Op{publish(0, 0, 10, 5, 1, 2), revoke(0, 20, 30, 8, 1),
				read(1, 40, 50, 0, 7, 1, 2), // follower lagging behind the revoke
				read(1, 60, 70, 8, 9, 2)},
		},
		{
			name:  "revoked: key published again after the revocation",
			check: func(ops []Op, _ []Key) error { return CheckNoRevokedReappear(ops) },
			ops: []Op{publish(0, 0, 10, 5, 1), revoke(0, 20, 30, 8, 1), publish(0, 40, 50, 12, 1),
				read(1, 60, 70, 0, 12, 1)},
		},
		{
			name:  "revoked: key back at an index covering the revoke",
			check: func(ops []Op, _ []Key) error { return CheckNoRevokedReappear(ops) },
			ops: []Op{publish(0, 0, 10, 5, 1, 2), revoke(0, 20, 30, 8, 1),
				read(1, 40, 50, 0, 8, 2), read(1, 60, 70, 0, 10, 1, 2)},
			want: ErrRevokedReappeared,
		},
		{
			name:  "revoked: key back in a read that asked for min_index past the revoke",
			check: func(ops []Op, _ []Key) error { return CheckNoRevokedReappear(ops) },
			ops:   []Op{publish(0, 0, 10, 5, 1), revoke(0, 20, 30, 8, 1), read(1, 40, 50, 8, 6, 1)},
			want:  ErrRevokedReappeared,
		},
		{
			name:  "min_index: honoured",
			check: func(ops []Op, _ []Key) error { return CheckMinIndexHonoured(ops) },
			ops:   []Op{read(0, 0, 10, 5, 5), read(0, 20, 30, 5, 9)},
		},
		{
			name:  "min_index: ignored",
			check: func(ops []Op, _ []Key) error { return CheckMinIndexHonoured(ops) },
			ops:   []Op{read(0, 0, 10, 5, 4)},
			want:  ErrMinIndexIgnored,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.ops, tt.final)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected violation: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), "key#") && tt.want != ErrMinIndexIgnored {
				t.Fatalf("error does not name the key: %v", err)
			}
		})
	}
}

func TestCheckDigestsEqual(t *testing.T) {
	tests := []struct {
		name    string
		digests map[string]string
		wantErr bool
	}{
		{"empty", nil, false},
		{"one node", map[string]string{"n1": "aa"}, false},
		{"all equal", map[string]string{"n1": "aa", "n2": "aa", "n3": "aa"}, false},
		{"one differs", map[string]string{"n1": "aa", "n2": "bb", "n3": "aa"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDigestsEqual(tt.digests)
			if got := err != nil; got != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if tt.wantErr {
				if !errors.Is(err, ErrDigestMismatch) {
					t.Fatalf("err = %v, want ErrDigestMismatch", err)
				}
				if !strings.Contains(err.Error(), `n2="bb"`) {
					t.Fatalf("error does not name the odd node: %v", err)
				}
			}
		})
	}
}

func TestCheckAll(t *testing.T) {
	ops := []Op{publish(0, 0, 10, 5, 1, 2), read(1, 20, 30, 5, 5, 1, 2, 2)}
	err := CheckAll(ops, keys(1), map[string]string{"n1": "a", "n2": "b"})
	for _, want := range []error{ErrLostPublish, ErrDuplicateKey, ErrDigestMismatch} {
		if !errors.Is(err, want) {
			t.Errorf("CheckAll error lacks %v: %v", want, err)
		}
	}
	for _, unwanted := range []error{ErrPhantomKey, ErrRevokedReappeared, ErrMinIndexIgnored} {
		if errors.Is(err, unwanted) {
			t.Errorf("CheckAll reported %v wrongly: %v", unwanted, err)
		}
	}
	if err := CheckAll(ops[:1], keys(1, 2), map[string]string{"n1": "a", "n2": "a"}); err != nil {
		t.Fatalf("clean history: %v", err)
	}
}
