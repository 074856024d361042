package gaen

import "errors"

// Sentinel errors returned (wrapped) by this package; match them with errors.Is.
var (
	// ErrSigningKey reports a signing key that cannot be loaded or used:
	// malformed or encrypted PEM, or a key that is not ECDSA on P-256.
	ErrSigningKey = errors.New("gaen: unusable signing key")
	// ErrInvalidSigner reports a Signer with a missing key, key id or key version.
	ErrInvalidSigner = errors.New("gaen: invalid signer")
	// ErrInvalidBatch reports a Batch or a per-file limit that cannot be exported.
	ErrInvalidBatch = errors.New("gaen: invalid batch")
	// ErrInvalidKey reports a key whose fields are outside the export format's ranges.
	ErrInvalidKey = errors.New("gaen: invalid key")
	// ErrMalformedExport reports an export zip that does not have the export file layout.
	ErrMalformedExport = errors.New("gaen: malformed export file")
	// ErrBadSignature reports an export file whose signature does not verify.
	ErrBadSignature = errors.New("gaen: signature does not verify")
)
