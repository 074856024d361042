package portal

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
)

// files holds the portal: HTML, CSS, JavaScript modules and the icon. The
// directory is flat; every file is served under /portal/NAME.
//
//go:embed assets
var files embed.FS

// assetsDir is the directory of files inside the embedded file system.
const assetsDir = "assets"

// indexName is the page served at /portal/.
const indexName = "index.html"

// asset is one embedded file, ready to serve.
type asset struct {
	name        string
	body        []byte
	contentType string
	etag        string
}

// contentTypes are the types of the portal's file kinds. They are fixed here
// rather than taken from the host's MIME database, which may lack or differ
// on some of them (a wrong JavaScript type stops module scripts under
// nosniff).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".txt":  "text/plain; charset=utf-8",
}

// loadAssets reads every embedded file into a table by name.
func loadAssets(fsys fs.FS) (map[string]asset, error) {
	entries, err := fs.ReadDir(fsys, assetsDir)
	if err != nil {
		return nil, fmt.Errorf("portal: listing assets: %w", err)
	}
	out := make(map[string]asset, len(entries))
	for _, e := range entries {
		if e.IsDir() {
			return nil, fmt.Errorf("portal: assets must be flat, found directory %q", e.Name())
		}
		name := e.Name()
		body, err := fs.ReadFile(fsys, path.Join(assetsDir, name))
		if err != nil {
			return nil, fmt.Errorf("portal: reading asset %s: %w", name, err)
		}
		ext := strings.ToLower(path.Ext(name))
		ct, ok := contentTypes[ext]
		if !ok {
			if ct = mime.TypeByExtension(ext); ct == "" {
				return nil, fmt.Errorf("portal: no content type for asset %s", name)
			}
		}
		sum := sha256.Sum256(body)
		out[name] = asset{name: name, body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	}
	if _, ok := out[indexName]; !ok {
		return nil, fmt.Errorf("portal: asset %s is missing", indexName)
	}
	return out, nil
}

// mustLoadAssets loads the embedded assets; a failure is a build defect
// (the files are compiled in), caught by the package's tests.
func mustLoadAssets() map[string]asset {
	a, err := loadAssets(files)
	if err != nil {
		panic(err)
	}
	return a
}
