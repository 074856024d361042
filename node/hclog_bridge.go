package node

import (
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/rs/zerolog"
)

// zerologWriter turns hclog's text lines into zerolog events at the level
// hclog printed, so raft and memberlist log through the node's logger.
type zerologWriter struct{ log zerolog.Logger }

// Write implements io.Writer; each call carries one log line.
func (w zerologWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	ev := w.log.Info()
	switch {
	case strings.Contains(line, "[ERROR]"):
		ev = w.log.Error()
	case strings.Contains(line, "[WARN]"):
		ev = w.log.Warn()
	case strings.Contains(line, "[DEBUG]"), strings.Contains(line, "[TRACE]"):
		ev = w.log.Debug()
	}
	ev.Msg(line)
	return len(p), nil
}

// newHCLogger returns an hclog.Logger writing to log with the component name.
func newHCLogger(log zerolog.Logger, component string) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:            component,
		Level:           hclog.Info,
		Output:          zerologWriter{log: log.With().Str("component", component).Logger()},
		DisableTime:     true,
		IncludeLocation: false,
	})
}
