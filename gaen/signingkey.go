package gaen

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// PEM block types understood by LoadSigningKey.
const (
	pemPKCS8     = "PRIVATE KEY"
	pemSEC1      = "EC PRIVATE KEY"
	pemECParams  = "EC PARAMETERS"
	pemEncrypted = "ENCRYPTED PRIVATE KEY"
	pemPublicKey = "PUBLIC KEY"
)

// LoadSigningKey parses the export signing key from PEM: a PKCS#8
// "PRIVATE KEY" or a SEC1 "EC PRIVATE KEY" block (an "EC PARAMETERS" block,
// as `openssl ecparam -genkey` writes, is skipped). The key must be ECDSA on
// P-256, the only curve the GAEN framework accepts. Errors wrap ErrSigningKey.
func LoadSigningKey(pemBytes []byte) (*ecdsa.PrivateKey, error) {
	var found *pem.Block
	rest := pemBytes
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case pemECParams:
			continue
		case pemPKCS8, pemSEC1:
			if found != nil {
				return nil, fmt.Errorf("%w: PEM holds more than one private key", ErrSigningKey)
			}
			found = block
		case pemEncrypted:
			return nil, fmt.Errorf("%w: encrypted PEM keys are not supported; store the key unencrypted with restricted file permissions", ErrSigningKey)
		default:
			return nil, fmt.Errorf("%w: unexpected PEM block %q, want %q or %q", ErrSigningKey, block.Type, pemPKCS8, pemSEC1)
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w: no %q or %q PEM block found", ErrSigningKey, pemPKCS8, pemSEC1)
	}

	var key *ecdsa.PrivateKey
	if found.Type == pemSEC1 {
		k, err := x509.ParseECPrivateKey(found.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: parse SEC1 EC private key: %w", ErrSigningKey, err)
		}
		key = k
	} else {
		parsed, err := x509.ParsePKCS8PrivateKey(found.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: parse PKCS#8 private key: %w", ErrSigningKey, err)
		}
		k, ok := parsed.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: PKCS#8 key is %T, want an ECDSA P-256 key", ErrSigningKey, parsed)
		}
		key = k
	}
	if err := checkCurve(key); err != nil {
		return nil, err
	}
	return key, nil
}

// GenerateSigningKeyPEM makes a fresh ECDSA P-256 signing key and returns it
// as a PKCS#8 "PRIVATE KEY" PEM block, for development setups.
func GenerateSigningKeyPEM() ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate P-256 signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("marshal signing key as PKCS#8: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPKCS8, Bytes: der}), nil
}

// MarshalPublicKeyPEM returns the public half of a signing key as a PKIX
// "PUBLIC KEY" PEM block, the form in which a health authority registers its
// key with the app platforms.
func MarshalPublicKeyPEM(pub *ecdsa.PublicKey) ([]byte, error) {
	if pub == nil {
		return nil, fmt.Errorf("%w: nil public key", ErrSigningKey)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: marshal public key: %w", ErrSigningKey, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: der}), nil
}

// checkCurve rejects keys on any curve but P-256.
func checkCurve(key *ecdsa.PrivateKey) error {
	if key.Curve != elliptic.P256() {
		return fmt.Errorf("%w: curve %s, want P-256", ErrSigningKey, key.Curve.Params().Name)
	}
	return nil
}
