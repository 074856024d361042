package gaen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"fmt"

	"github.com/tekstore/tekstore/gaen/exportpb"
)

// SignatureAlgorithm is the OID of ECDSA with SHA-256, the only value the
// GAEN framework accepts in SignatureInfo.signature_algorithm.
const SignatureAlgorithm = "1.2.840.10045.4.3.2"

// Signer is the health authority's export signing identity.
type Signer struct {
	// Key is the ECDSA P-256 private key (see LoadSigningKey).
	Key *ecdsa.PrivateKey
	// KeyID is the verification_key_id registered with the app platforms
	// (for example the country's mobile country code).
	KeyID string
	// KeyVersion is the verification_key_version, for example "v1".
	KeyVersion string
}

// validate checks that the signer can sign export files.
func (s Signer) validate() error {
	if s.Key == nil || s.Key.Curve == nil {
		return fmt.Errorf("%w: no signing key", ErrInvalidSigner)
	}
	if s.Key.Curve != elliptic.P256() {
		return fmt.Errorf("%w: curve %s, want P-256", ErrInvalidSigner, s.Key.Curve.Params().Name)
	}
	if s.KeyID == "" {
		return fmt.Errorf("%w: empty key id", ErrInvalidSigner)
	}
	if s.KeyVersion == "" {
		return fmt.Errorf("%w: empty key version", ErrInvalidSigner)
	}
	return nil
}

// info returns the SignatureInfo placed in both export.bin and export.sig.
func (s Signer) info() *exportpb.SignatureInfo {
	return &exportpb.SignatureInfo{
		VerificationKeyVersion: &s.KeyVersion,
		VerificationKeyId:      &s.KeyID,
		SignatureAlgorithm:     ptr(SignatureAlgorithm),
	}
}

// sign returns the deterministic (RFC 6979) ASN.1 DER ECDSA signature over
// SHA-256 of data. A nil random source makes PrivateKey.Sign deterministic;
// ecdsa.SignASN1 would not be, as it always draws fresh randomness.
func (s Signer) sign(data []byte) ([]byte, error) {
	digest := sha256.Sum256(data)
	sig, err := s.Key.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign export: %w", err)
	}
	return sig, nil
}

// ptr returns a pointer to a copy of v, for proto2 optional fields.
func ptr[T any](v T) *T { return &v }
