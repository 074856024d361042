package server

import (
	"strings"

	"github.com/rs/zerolog"
)

// gossipLogWriter turns memberlist's standard-library log lines
// ("[WARN] memberlist: ...") into zerolog events at the same level.
type gossipLogWriter struct{ log zerolog.Logger }

// Write implements io.Writer; memberlist writes one line per call.
func (w gossipLogWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	ev := w.log.Info()
	switch {
	case strings.Contains(line, "[ERR]"), strings.Contains(line, "[ERROR]"):
		ev = w.log.Error()
	case strings.Contains(line, "[WARN]"):
		ev = w.log.Warn()
	case strings.Contains(line, "[DEBUG]"), strings.Contains(line, "[TRACE]"):
		ev = w.log.Debug()
	}
	ev.Msg(line)
	return len(p), nil
}
