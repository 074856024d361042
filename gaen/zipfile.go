package gaen

import (
	"archive/zip"
	"bytes"
	"fmt"
	"time"
)

// Names of the two entries of an export zip.
const (
	BinName = "export.bin"
	SigName = "export.sig"
)

// writeZip returns a zip holding export.bin then export.sig. Entries are
// stored uncompressed (the key data is random, so deflate would gain little,
// and another flate implementation could change the bytes) and carry the
// given modification time, so the output is a pure function of the input.
func writeZip(modified time.Time, bin, sig []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct {
		name string
		data []byte
	}{{BinName, bin}, {SigName, sig}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store, Modified: modified})
		if err != nil {
			return nil, fmt.Errorf("zip %s: %w", e.name, err)
		}
		if _, err := w.Write(e.data); err != nil {
			return nil, fmt.Errorf("zip %s: %w", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("close zip: %w", err)
	}
	return buf.Bytes(), nil
}
