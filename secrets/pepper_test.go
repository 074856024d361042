package secrets

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

func TestDerivePepperDeterministic(t *testing.T) {
	a, b := DerivePepper("tka_cluster-token"), DerivePepper("tka_cluster-token")
	if a != b {
		t.Fatal("same admin token gave different peppers")
	}
	if DerivePepper("tka_cluster-token") == DerivePepper("tka_cluster-tokeN") {
		t.Fatal("different admin tokens gave the same pepper")
	}
	if a == (Pepper{}) {
		t.Fatal("pepper is all zero")
	}
}

// TestDerivePepperIsLabeledHMAC pins the derivation: changing it would
// orphan every stored code hash.
func TestDerivePepperIsLabeledHMAC(t *testing.T) {
	m := hmac.New(sha256.New, []byte("admin"))
	m.Write([]byte("tekstore/pepper/v1\x00"))
	p := DerivePepper("admin")
	if want := m.Sum(nil); !bytes.Equal(p[:], want) {
		t.Fatalf("DerivePepper = %x, want %x", p[:], want)
	}
	if plain := sha256.Sum256([]byte("admin")); bytes.Equal(p[:], plain[:]) {
		t.Fatal("pepper equals the plain SHA-256 of the admin token")
	}
}

func TestPepperDoesNotPrint(t *testing.T) {
	p := DerivePepper("admin")
	raw := fmt.Sprintf("%x", [32]byte(p))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q"} {
		out := fmt.Sprintf(verb, p)
		if strings.Contains(strings.ToLower(out), raw[:16]) || !strings.Contains(out, "redacted") {
			t.Errorf("Sprintf(%s, pepper) = %q, want the redacted placeholder", verb, out)
		}
	}
	if out := fmt.Sprintf("%v", struct{ P Pepper }{p}); !strings.Contains(out, "redacted") {
		t.Errorf("pepper inside a struct prints as %q", out)
	}
}
