// Package gaen writes and checks Apple/Google Exposure Notification (GAEN)
// key export files, the signed zips that phones download and hand to the
// operating system's exposure-notification framework.
//
// An export file is a zip with exactly two entries, in this order:
//
//   - export.bin: the 16-byte header "EK Export v1    " followed by a
//     TemporaryExposureKeyExport protobuf (package exportpb): the covered time
//     window, the region, the file's position in its batch (batch_num,
//     batch_size), the SignatureInfo, the keys sorted by key bytes, and the
//     revoked keys as revised_keys with report type REVOKED.
//   - export.sig: a TEKSignatureList with one TEKSignature carrying the same
//     SignatureInfo and an ECDSA P-256 signature, ASN.1 DER, over the SHA-256
//     of the whole export.bin, header included.
//
// Every byte is a function of the input alone: keys are sorted with a total
// order, protobufs are marshalled deterministically, signatures use RFC 6979
// deterministic ECDSA, and the zip entries are stored (not compressed, so a
// different flate implementation cannot change the bytes) with a fixed
// modification time. Every node of a cluster therefore serves byte-identical
// files for the same checkpoint.
//
// A batch larger than the per-file limit is split into several files, each
// with its own batch_num and an end_timestamp bumped by one second per file,
// so that Android's de-duplication by (start, end, batch_num) never merges two
// different files.
//
// Padding with random keys is not done here: padding keys must be made once,
// before a checkpoint is proposed to Raft, and arrive in Batch.Keys.
package gaen
