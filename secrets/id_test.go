package secrets

import (
	"regexp"
	"testing"
)

func TestNewID(t *testing.T) {
	for _, prefix := range []string{SubmissionIDPrefix, AuthorizationIDPrefix, ProviderIDPrefix} {
		form := regexp.MustCompile("^" + regexp.QuoteMeta(prefix) + "[0-9a-f]{16}$")
		seen := make(map[string]bool)
		for i := 0; i < 1000; i++ {
			id, err := NewID(prefix)
			if err != nil {
				t.Fatalf("NewID(%q): %v", prefix, err)
			}
			if !form.MatchString(id) {
				t.Fatalf("NewID(%q) = %q, want prefix and 16 hex digits", prefix, id)
			}
			if seen[id] {
				t.Fatalf("NewID(%q) repeated %q", prefix, id)
			}
			seen[id] = true
		}
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := Equal([]byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	h1, h2 := TokenHash("x"), TokenHash("x")
	if !Equal(h1[:], h2[:]) {
		t.Error("Equal of equal hashes is false")
	}
}
