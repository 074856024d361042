package gaen

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"

	"github.com/tekstore/tekstore/gaen/exportpb"
)

// maxEntrySize bounds how much of one zip entry Verify reads.
const maxEntrySize = 64 << 20

// Verify checks that file is a well-formed export zip whose export.sig holds
// a signature by pub, with the same SignatureInfo and batch position as
// export.bin, over the SHA-256 of the whole export.bin. It returns the
// decoded export. Errors wrap ErrMalformedExport or ErrBadSignature.
func Verify(file []byte, pub *ecdsa.PublicKey) (*exportpb.TemporaryExposureKeyExport, error) {
	if pub == nil {
		return nil, fmt.Errorf("%w: nil public key", ErrBadSignature)
	}
	bin, sig, err := readZip(file)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(bin, []byte(Header)) {
		return nil, fmt.Errorf("%w: %s lacks the %q header", ErrMalformedExport, BinName, Header)
	}
	var export exportpb.TemporaryExposureKeyExport
	if err := proto.Unmarshal(bin[len(Header):], &export); err != nil {
		return nil, fmt.Errorf("%w: decode %s: %w", ErrMalformedExport, BinName, err)
	}
	var list exportpb.TEKSignatureList
	if err := proto.Unmarshal(sig, &list); err != nil {
		return nil, fmt.Errorf("%w: decode %s: %w", ErrMalformedExport, SigName, err)
	}
	digest := sha256.Sum256(bin)
	for _, s := range list.GetSignatures() {
		if s.GetBatchNum() != export.GetBatchNum() || s.GetBatchSize() != export.GetBatchSize() {
			continue
		}
		if !hasInfo(&export, s.GetSignatureInfo()) {
			continue
		}
		if ecdsa.VerifyASN1(pub, digest[:], s.GetSignature()) {
			return &export, nil
		}
	}
	return nil, fmt.Errorf("%w: none of %d signatures matches", ErrBadSignature, len(list.GetSignatures()))
}

// hasInfo reports whether export lists info among its signature infos.
func hasInfo(export *exportpb.TemporaryExposureKeyExport, info *exportpb.SignatureInfo) bool {
	if info == nil {
		return false
	}
	for _, i := range export.GetSignatureInfos() {
		if proto.Equal(i, info) {
			return true
		}
	}
	return false
}

// readZip returns the contents of export.bin and export.sig, requiring that
// the zip holds exactly these two entries.
func readZip(file []byte) (bin, sig []byte, err error) {
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformedExport, err)
	}
	if len(zr.File) != 2 {
		return nil, nil, fmt.Errorf("%w: %d zip entries, want 2", ErrMalformedExport, len(zr.File))
	}
	for _, f := range zr.File {
		data, err := readEntry(f)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case f.Name == BinName && bin == nil:
			bin = data
		case f.Name == SigName && sig == nil:
			sig = data
		default:
			return nil, nil, fmt.Errorf("%w: unexpected zip entry %q", ErrMalformedExport, f.Name)
		}
	}
	return bin, sig, nil
}

// readEntry reads one zip entry of at most maxEntrySize bytes.
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %w", ErrMalformedExport, f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxEntrySize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrMalformedExport, f.Name, err)
	}
	if len(data) > maxEntrySize {
		return nil, fmt.Errorf("%w: %s larger than %d bytes", ErrMalformedExport, f.Name, maxEntrySize)
	}
	return data, nil
}
