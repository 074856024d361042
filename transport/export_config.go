package transport

import (
	"github.com/tekstore/tekstore/gaen"
)

// Defaults of the GAEN export settings.
const (
	// DefaultExportRegion is written to export files when no region is
	// configured: "XX", a user-assigned ISO 3166 code that names no country,
	// so that a forgotten --region is visible rather than silently wrong.
	DefaultExportRegion = "XX"
	// DefaultExportMaxKeysPerFile is the largest number of keys (real,
	// padding and revoked) in one export file; bigger checkpoints are split.
	DefaultExportMaxKeysPerFile = 30000
	// DefaultCheckpointCacheBytes bounds the rendered checkpoint bodies
	// (JSON and export zips) a node keeps in memory.
	DefaultCheckpointCacheBytes = 64 << 20
)

// ExportConfig configures the checkpoint and GAEN export endpoints.
type ExportConfig struct {
	// Signer signs export files. Nil disables export.zip and index.txt (they
	// answer 404); the JSON checkpoints are served either way. Every node of
	// a cluster must use the same signer, region and file size, or they
	// serve different bytes for the same URL.
	Signer *gaen.Signer
	// Region is written to every export file (default DefaultExportRegion).
	Region string
	// MaxKeysPerFile splits large checkpoints into several files (default
	// DefaultExportMaxKeysPerFile).
	MaxKeysPerFile int
	// CacheBytes bounds the rendered bodies kept in memory (default
	// DefaultCheckpointCacheBytes; negative disables the body cache).
	CacheBytes int
}

func (c ExportConfig) withDefaults() ExportConfig {
	if c.Region == "" {
		c.Region = DefaultExportRegion
	}
	if c.MaxKeysPerFile <= 0 {
		c.MaxKeysPerFile = DefaultExportMaxKeysPerFile
	}
	if c.CacheBytes == 0 {
		c.CacheBytes = DefaultCheckpointCacheBytes
	}
	return c
}
