package transport

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/tekstore/tekstore/fsm"
)

// Cache lifetimes of the checkpoint endpoints: sealed checkpoints and their
// export files never change; the listing and the index change at each seal.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheListing   = "public, max-age=60"
)

// Content types of the checkpoint endpoints.
const (
	contentJSON = "application/json"
	contentZip  = "application/zip"
	contentText = "text/plain; charset=utf-8"
)

// checkpointAPI serves the sealed checkpoints (spec §4) as JSON and as GAEN
// export files, from this node's local state.
type checkpointAPI struct {
	s     *Server
	exp   ExportConfig
	cache *checkpointCache
}

// checkpointRoutes registers GET /v1/checkpoints, /v1/checkpoints/{n}, the
// export files of each checkpoint and /v1/export/index.txt.
func (s *Server) checkpointRoutes(r *mux.Router) {
	a := &checkpointAPI{s: s, exp: s.cfg.Exports.withDefaults()}
	a.cache = newCheckpointCache(a.exp.CacheBytes)
	r.HandleFunc("/v1/checkpoints", s.read(a.handleList)).Methods(http.MethodGet).Name("checkpoints")
	r.HandleFunc("/v1/checkpoints/{n}", s.read(a.handleGet)).Methods(http.MethodGet).Name("checkpoint")
	r.HandleFunc("/v1/checkpoints/{n}/export.zip", s.read(a.handleExport)).Methods(http.MethodGet).Name("checkpoint_export")
	r.HandleFunc("/v1/checkpoints/{n}/export-{b}.zip", s.read(a.handleExport)).Methods(http.MethodGet).Name("checkpoint_export_batch")
	r.HandleFunc("/v1/export/index.txt", s.read(a.handleIndex)).Methods(http.MethodGet).Name("export_index")
}

// handleList is GET /v1/checkpoints: every checkpoint still within
// retention, oldest first, with the sha256 of its JSON body.
func (a *checkpointAPI) handleList(w http.ResponseWriter, r *http.Request) {
	cks := a.s.state.Checkpoints()
	key := keyOfListing(cks)
	rb, ok := a.cache.cachedListing(false, key)
	if !ok {
		etags := make([]string, len(cks))
		for i, ck := range cks {
			j, err := a.jsonBody(ck)
			if err != nil {
				a.s.writeError(w, r, err)
				return
			}
			etags[i] = j.etag
		}
		var err error
		if rb, err = renderListing(cks, etags); err != nil {
			a.s.writeError(w, r, err)
			return
		}
		a.cache.sweep(cks)
		a.cache.putListing(false, key, rb)
	}
	serveRendered(w, r, rb, contentJSON, cacheListing)
}

// handleGet is GET /v1/checkpoints/{n}: the checkpoint's delta as JSON.
func (a *checkpointAPI) handleGet(w http.ResponseWriter, r *http.Request) {
	ck, err := a.checkpoint(r)
	if err != nil {
		a.s.writeError(w, r, err)
		return
	}
	rb, err := a.jsonBody(ck)
	if err != nil {
		a.s.writeError(w, r, err)
		return
	}
	serveRendered(w, r, rb, contentJSON, cacheImmutable)
}

// checkpoint returns the checkpoint named by the {n} path variable: 400 for
// anything but a decimal number without sign or leading zeros, 404 for a
// number no listed checkpoint has.
func (a *checkpointAPI) checkpoint(r *http.Request) (*fsm.Checkpoint, error) {
	raw := mux.Vars(r)["n"]
	if !canonicalUint(raw) {
		return nil, badRequest("the checkpoint number must be a decimal integer without sign or leading zeros")
	}
	n, err := strconv.ParseUint(raw, 10, 32)
	if err != nil {
		return nil, notFound("no checkpoint %s", raw)
	}
	ck, err := a.s.state.Checkpoint(uint32(n))
	if errors.Is(err, fsm.ErrNotFound) {
		return nil, notFound("no checkpoint %d: not sealed yet, or past retention", n)
	}
	return ck, err
}

// jsonBody returns the rendered JSON of ck, from the cache when it can.
func (a *checkpointAPI) jsonBody(ck *fsm.Checkpoint) (*renderedBody, error) {
	if rb, ok := a.cache.body(bodyKey{n: ck.N, file: fileJSON}, ck); ok {
		return rb, nil
	}
	rb, err := renderCheckpointJSON(ck, a.s.state.CheckpointContent(ck))
	if err != nil {
		return nil, err
	}
	a.cache.put(rb)
	return rb, nil
}

// serveRendered answers with an immutable rendered body and its strong ETag.
// http.ServeContent answers If-None-Match with 304 (and Range requests, which
// CDNs use), using the ETag set here.
func serveRendered(w http.ResponseWriter, r *http.Request, rb *renderedBody, contentType, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", rb.etag)
	if r.Header.Get("Range") != "" {
		// Byte ranges (CDNs resuming a fetch): http.ServeContent does them.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(rb.body))
		return
	}
	if etagMatches(r.Header.Get("If-None-Match"), rb.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	// The whole immutable body in one write: ServeContent would copy it in
	// 32 KiB pieces, one syscall each.
	h.Set("Content-Length", strconv.Itoa(len(rb.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(rb.body)
	}
}

// etagMatches reports whether an If-None-Match header names etag: "*", or
// a list of entity tags compared weakly (W/ prefixes ignored), as
// RFC 9110 asks for If-None-Match.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == want {
			return true
		}
	}
	return false
}
