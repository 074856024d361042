package gaen

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// mustDER returns a function that unwraps an x509 marshal result or fails t.
func mustDER(t *testing.T) func([]byte, error) []byte {
	return func(der []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
}

func TestLoadSigningKeyAccepts(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	must := mustDER(t)
	sec1 := pemBlock("EC PRIVATE KEY", must(x509.MarshalECPrivateKey(key)))
	pkcs8 := pemBlock("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(key)))
	// openssl ecparam -name prime256v1 -genkey writes the curve OID first.
	params := pemBlock("EC PARAMETERS", []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07})

	tests := []struct {
		name string
		pem  []byte
	}{
		{"SEC1", sec1},
		{"PKCS#8", pkcs8},
		{"EC PARAMETERS then SEC1", append(params, sec1...)},
		{"text around the block", []byte("# export signing key\n" + string(pkcs8) + "\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadSigningKey(tt.pem)
			if err != nil {
				t.Fatalf("LoadSigningKey: %v", err)
			}
			if !got.Equal(key) {
				t.Error("loaded key differs from the encoded key")
			}
		})
	}
}

func TestLoadSigningKeyRejects(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p256PEM, err := GenerateSigningKeyPEM()
	if err != nil {
		t.Fatal(err)
	}

	must := mustDER(t)
	tests := []struct {
		name    string
		pem     []byte
		wantMsg string
	}{
		{"P-384 SEC1", pemBlock("EC PRIVATE KEY", must(x509.MarshalECPrivateKey(p384))), "P-384"},
		{"P-384 PKCS#8", pemBlock("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(p384))), "P-384"},
		{"RSA PKCS#8", pemBlock("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(rsaKey))), "rsa"},
		{"RSA PKCS#1", pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), "RSA PRIVATE KEY"},
		{"Ed25519 PKCS#8", pemBlock("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(edKey))), "ed25519"},
		{"encrypted", pemBlock("ENCRYPTED PRIVATE KEY", []byte{1, 2, 3}), "encrypted"},
		{"garbage DER", pemBlock("EC PRIVATE KEY", []byte{1, 2, 3}), "SEC1"},
		{"not PEM", []byte("hello"), "no"},
		{"empty", nil, "no"},
		{"two keys", append(append([]byte{}, p256PEM...), p256PEM...), "more than one"},
		{"public key", pemBlock("PUBLIC KEY", []byte{1}), "PUBLIC KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := LoadSigningKey(tt.pem)
			if !errors.Is(err, ErrSigningKey) {
				t.Fatalf("LoadSigningKey error = %v, want ErrSigningKey", err)
			}
			if key != nil {
				t.Error("LoadSigningKey returned a key with an error")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestGenerateSigningKeyPEM(t *testing.T) {
	a, err := GenerateSigningKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(a)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("generated PEM is not a PKCS#8 PRIVATE KEY block: %q", a)
	}
	key, err := LoadSigningKey(a)
	if err != nil {
		t.Fatalf("load generated key: %v", err)
	}
	b, err := GenerateSigningKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadSigningKey(b)
	if err != nil {
		t.Fatal(err)
	}
	if key.Equal(other) {
		t.Error("two generated keys are equal")
	}

	pubPEM, err := MarshalPublicKeyPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubBlock, _ := pem.Decode(pubPEM)
	if pubBlock == nil || pubBlock.Type != "PUBLIC KEY" {
		t.Fatalf("public PEM is not a PUBLIC KEY block: %q", pubPEM)
	}
	pub, err := x509.ParsePKIXPublicKey(pubBlock.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !key.PublicKey.Equal(pub) {
		t.Error("public PEM does not hold the key's public half")
	}
}
