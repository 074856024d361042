package secrets

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

// decodeToken decodes unpadded base64url text of 32 bytes.
func decodeToken(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("token %q is not unpadded base64url: %v", s, err)
	}
	if len(b) != 32 {
		t.Fatalf("token decodes to %d bytes, want 32", len(b))
	}
	return b
}

var tokenBody = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool)
	for _, prefix := range []string{ProviderTokenPrefix, AdminTokenPrefix, ""} {
		for i := 0; i < 100; i++ {
			tok, err := NewToken(prefix)
			if err != nil {
				t.Fatalf("NewToken(%q): %v", prefix, err)
			}
			body, ok := strings.CutPrefix(tok, prefix)
			if !ok || !tokenBody.MatchString(body) {
				t.Fatalf("NewToken(%q) = %q, want prefix and 43 base64url characters", prefix, tok)
			}
			decodeToken(t, body)
			if seen[body] {
				t.Fatal("token repeated")
			}
			seen[body] = true
		}
	}
}

func TestTokenHash(t *testing.T) {
	if got, want := TokenHash("tkp_abc"), sha256.Sum256([]byte("tkp_abc")); got != want {
		t.Fatalf("TokenHash = %x, want SHA-256 %x", got, want)
	}
	if TokenHash("tkp_abc") == TokenHash("tka_abc") {
		t.Fatal("prefix does not change the hash")
	}
}

func TestRevisionToken(t *testing.T) {
	p := DerivePepper("admin")
	tok := RevisionToken(p, "s_0123456789abcdef")
	if !tokenBody.MatchString(tok) {
		t.Fatalf("RevisionToken = %q, want 43 base64url characters", tok)
	}
	if again := RevisionToken(p, "s_0123456789abcdef"); again != tok {
		t.Fatal("RevisionToken is not deterministic, so a retried publish would get a new token")
	}
	if RevisionToken(p, "s_0123456789abcdee") == tok {
		t.Fatal("different submissions share a revision token")
	}
	if RevisionToken(DerivePepper("other"), "s_0123456789abcdef") == tok {
		t.Fatal("different peppers give the same revision token")
	}
}

func TestRevisionTokenHash(t *testing.T) {
	p := DerivePepper("admin")
	tok := RevisionToken(p, "s_1")
	h := RevisionTokenHash(tok)
	if RevisionTokenHash(tok) != h {
		t.Fatal("RevisionTokenHash is not deterministic")
	}
	if RevisionTokenHash(RevisionToken(p, "s_2")) == h {
		t.Fatal("different tokens hash the same")
	}
	if plain := sha256.Sum256([]byte(tok)); plain == h {
		t.Fatal("RevisionTokenHash is the unlabeled SHA-256")
	}
}
