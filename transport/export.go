package transport

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/tekstore/tekstore/fsm"
)

// errExportsDisabled answers the export endpoints of a node without a
// signing key.
var errExportsDisabled = notFound("GAEN export files are not enabled on this node (no signing key configured)")

// handleExport is GET /v1/checkpoints/{n}/export.zip (batch 1) and
// /v1/checkpoints/{n}/export-{b}.zip (batch b >= 2 of a split checkpoint):
// a signed GAEN export file, byte-identical on every node.
func (a *checkpointAPI) handleExport(w http.ResponseWriter, r *http.Request) {
	if a.exp.Signer == nil {
		a.s.writeError(w, r, errExportsDisabled)
		return
	}
	ck, err := a.checkpoint(r)
	if err != nil {
		a.s.writeError(w, r, err)
		return
	}
	batch := 1
	if raw, ok := mux.Vars(r)["b"]; ok {
		if batch, ok = parseExportFile("export-" + raw + ".zip"); !ok {
			a.s.writeError(w, r, notFound("no such export file; see /v1/export/index.txt"))
			return
		}
	}
	if batch > exportFileCount(ck, a.exp.MaxKeysPerFile) {
		a.s.writeError(w, r, notFound("checkpoint %d has no export file %d; see /v1/export/index.txt", ck.N, batch))
		return
	}
	rb, err := a.exportBody(ck, batch)
	if err != nil {
		a.s.writeError(w, r, err)
		return
	}
	serveRendered(w, r, rb, contentZip, cacheImmutable)
}

// exportBody returns export file batch of ck, from the cache when it can.
// A miss renders (and caches) every file of the checkpoint at once.
func (a *checkpointAPI) exportBody(ck *fsm.Checkpoint, batch int) (*renderedBody, error) {
	if rb, ok := a.cache.body(bodyKey{n: ck.N, file: batch}, ck); ok {
		return rb, nil
	}
	files, err := renderExports(ck, a.s.state.CheckpointContent(ck), a.exp)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		a.cache.put(f)
	}
	if batch > len(files) {
		return nil, notFound("checkpoint %d has %d export files", ck.N, len(files))
	}
	return files[batch-1], nil
}

// handleIndex is GET /v1/export/index.txt: the export files of every listed
// checkpoint, oldest first, one path relative to the base URL a line.
func (a *checkpointAPI) handleIndex(w http.ResponseWriter, r *http.Request) {
	if a.exp.Signer == nil {
		a.s.writeError(w, r, errExportsDisabled)
		return
	}
	cks := a.s.state.Checkpoints()
	key := keyOfListing(cks)
	rb, ok := a.cache.cachedListing(true, key)
	if !ok {
		rb = renderIndex(cks, a.exp.MaxKeysPerFile)
		a.cache.sweep(cks)
		a.cache.putListing(true, key, rb)
	}
	serveRendered(w, r, rb, contentText, cacheListing)
}
