package node

import (
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/rs/zerolog"
)

// LogWriter turns the text log lines of hashicorp libraries (hclog's
// "[WARN]", the standard library logger's "[ERR]" of memberlist) into
// zerolog events at the level they name, so raft and memberlist log
// through the node's logger.
type LogWriter struct{ Log zerolog.Logger }

// Write implements io.Writer; each call carries one log line.
func (w LogWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	ev := w.Log.Info()
	switch {
	case strings.Contains(line, "[ERROR]"), strings.Contains(line, "[ERR]"):
		ev = w.Log.Error()
	case strings.Contains(line, "[WARN]"):
		ev = w.Log.Warn()
	case strings.Contains(line, "[DEBUG]"), strings.Contains(line, "[TRACE]"):
		ev = w.Log.Debug()
	}
	ev.Msg(line)
	return len(p), nil
}

// newHCLogger returns an hclog.Logger writing to log with the component name.
func newHCLogger(log zerolog.Logger, component string) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:            component,
		Level:           hclog.Info,
		Output:          LogWriter{Log: log.With().Str("component", component).Logger()},
		DisableTime:     true,
		IncludeLocation: false,
	})
}
