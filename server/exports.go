package server

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/gaen"
	"github.com/tekstore/tekstore/transport"
)

// Defaults of the export signing identity when the options leave it empty.
// Real deployments set both to what the app platforms registered for the
// health authority (--signing-key-id, --signing-key-version).
const (
	DefaultSigningKeyID      = "tekstore"
	DefaultSigningKeyVersion = "v1"
)

// DevSigningKeyFile is the file in the data directory that holds the signing
// key generated for Options.DevSigningKey.
const DevSigningKeyFile = "export-signing-key.pem"

// exportConfig derives the checkpoint export settings from the options: the
// signer from SigningKeyPEM, else (DevSigningKey) from a key generated once
// and kept in the data directory, else none (export files disabled).
func exportConfig(opts Options) (transport.ExportConfig, error) {
	cfg := transport.ExportConfig{Region: opts.Region, MaxKeysPerFile: opts.ExportMaxKeysPerFile}
	pemBytes := opts.SigningKeyPEM
	if len(pemBytes) == 0 {
		if !opts.DevSigningKey {
			opts.Logger.Warn().Str("component", "server").
				Msg("no export signing key: GAEN export files and index.txt are disabled")
			return cfg, nil
		}
		var err error
		if pemBytes, err = devSigningKey(opts.DataDir, opts.Logger); err != nil {
			return cfg, err
		}
	}
	key, err := gaen.LoadSigningKey(pemBytes)
	if err != nil {
		return cfg, fmt.Errorf("export signing key: %w", err)
	}
	signer := &gaen.Signer{
		Key:        key,
		KeyID:      cmp.Or(opts.SigningKeyID, DefaultSigningKeyID),
		KeyVersion: cmp.Or(opts.SigningKeyVersion, DefaultSigningKeyVersion),
	}
	// A trial file reports an unusable signer at start, not at the first
	// download.
	at := time.Unix(0, 0)
	if _, err := gaen.Build(gaen.Batch{Start: at, End: at, Region: cmp.Or(opts.Region, transport.DefaultExportRegion)}, *signer, 1); err != nil {
		return cfg, fmt.Errorf("export signing key: %w", err)
	}
	cfg.Signer = signer
	return cfg, nil
}

// devSigningKey returns the PEM of the development signing key in dataDir,
// generating it on first use, so that a restarted dev node signs its export
// files with the same key and serves the same bytes.
func devSigningKey(dataDir string, log zerolog.Logger) ([]byte, error) {
	path := filepath.Join(dataDir, DevSigningKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read dev signing key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if b, err = gaen.GenerateSigningKeyPEM(); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dataDir, DevSigningKeyFile+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("write dev signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write dev signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write dev signing key: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("write dev signing key: %w", err)
	}
	log.Info().Str("component", "server").Str("path", path).Msg("generated a development export signing key")
	return b, nil
}
