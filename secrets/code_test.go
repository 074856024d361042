package secrets

import (
	"testing"

	"github.com/tekstore/tekstore/codes"
)

func mustCode(t *testing.T, s string) codes.Code {
	t.Helper()
	c, err := codes.Parse(s)
	if err != nil {
		t.Fatalf("codes.Parse(%q): %v", s, err)
	}
	return c
}

func TestCodeHash(t *testing.T) {
	p := DerivePepper("admin")
	c := mustCode(t, "K7Q2-9XMD-3HPA-W4ZJ")

	if CodeHash(p, c) != CodeHash(p, c) {
		t.Fatal("CodeHash is not deterministic")
	}
	// Every accepted spelling hashes the same.
	for _, s := range []string{"k7q2 9xmd 3hpa w4zj", "K7Q29XMD3HPAW4ZJ"} {
		if CodeHash(p, mustCode(t, s)) != CodeHash(p, c) {
			t.Errorf("CodeHash of spelling %q differs", s)
		}
	}
	other := mustCode(t, "ZZZZ-ZZZZ-ZZZZ-ZZZF")
	if CodeHash(p, other) == CodeHash(p, c) {
		t.Error("different codes hash the same")
	}
	if CodeHash(DerivePepper("other admin"), c) == CodeHash(p, c) {
		t.Error("different peppers give the same code hash")
	}
}

// TestDomainSeparation feeds the same text to every keyed and unkeyed hash
// of the package and expects all results to differ.
func TestDomainSeparation(t *testing.T) {
	p := DerivePepper("admin")
	c := mustCode(t, "K7Q2-9XMD-3HPA-W4ZJ")
	text := c.Canonical()

	codeHash := CodeHash(p, c)
	revToken := RevisionToken(p, text)
	revBytes := decodeToken(t, revToken)
	tokenHash := TokenHash(text)
	revHash := RevisionTokenHash(text)
	pepperFromText := DerivePepper(text)

	values := map[string][]byte{
		"CodeHash":          codeHash[:],
		"RevisionToken":     revBytes,
		"TokenHash":         tokenHash[:],
		"RevisionTokenHash": revHash[:],
		"DerivePepper":      pepperFromText[:],
	}
	for n1, v1 := range values {
		for n2, v2 := range values {
			if n1 < n2 && Equal(v1, v2) {
				t.Errorf("%s and %s agree on the same input", n1, n2)
			}
		}
	}
}
