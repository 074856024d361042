package transport

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
)

// Headers of GET /v1/backup.
const (
	// HeaderBackupIndex carries the log index the backup reflects.
	HeaderBackupIndex = "X-Tekstore-Backup-Index"
	// HeaderBackupDigest is an HTTP trailer with the hex SHA-256 of the
	// body, which is also the state digest of the backed-up state.
	HeaderBackupDigest = "X-Tekstore-Backup-Digest"
)

// backupContentType is the media type of a backup stream.
const backupContentType = "application/vnd.tekstore.snapshot"

// registerBackupRoutes adds GET /v1/backup (admin only; min_index works as
// on every read).
func (s *Server) registerBackupRoutes(r *mux.Router) {
	r.HandleFunc("/v1/backup", s.read(s.admin(s.handleBackup))).Methods(http.MethodGet).Name("backup")
}

// handleBackup streams a consistent snapshot of the whole state from this
// node's local state. The state is frozen (copied under its read lock) and
// then written while Apply goes on, so no lock is held while streaming.
// The trailer carries the digest so the client can check what it stored.
func (s *Server) handleBackup(w http.ResponseWriter, r *http.Request) {
	frozen := s.state.Freeze()
	h := w.Header()
	h.Set("Content-Type", backupContentType)
	h.Set(HeaderBackupIndex, strconv.FormatUint(frozen.AppliedIndex(), 10))
	h.Set("Content-Disposition", `attachment; filename="tekstore-`+strconv.FormatUint(frozen.AppliedIndex(), 10)+`.snap"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Trailer", HeaderBackupDigest)
	// A large state may take longer than the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.WriteHeader(http.StatusOK)
	sum := sha256.New()
	n, err := frozen.WriteTo(io.MultiWriter(w, sum))
	if err != nil {
		// The status is sent; a missing trailer tells the client the body
		// is incomplete.
		s.log.Warn().Err(err).Int64("bytes", n).Msg("backup stream aborted")
		return
	}
	h.Set(HeaderBackupDigest, hex.EncodeToString(sum.Sum(nil)))
	s.log.Info().Uint64("index", frozen.AppliedIndex()).Int64("bytes", n).Msg("backup streamed")
}
