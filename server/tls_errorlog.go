package server

import (
	"log"
	"regexp"
	"strings"

	"github.com/rs/zerolog"
)

// clientAddrPattern matches IPv4 and bracketed IPv6 addresses with an
// optional port, as net/http prints them in "TLS handshake error from ...".
var clientAddrPattern = regexp.MustCompile(`\[[0-9A-Fa-f:.%a-z]+\](:\d+)?|\b(\d{1,3}\.){3}\d{1,3}(:\d+)?`)

// errorLogWriter passes net/http's own messages (TLS handshake failures,
// accept errors) to zerolog at debug level with addresses removed: the
// logs hold no client addresses.
type errorLogWriter struct{ log zerolog.Logger }

func (w errorLogWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(clientAddrPattern.ReplaceAllString(string(p), "<addr>"))
	w.log.Debug().Msg(msg)
	return len(p), nil
}

// httpErrorLog is the http.Server's ErrorLog.
func httpErrorLog(l zerolog.Logger) *log.Logger {
	return log.New(errorLogWriter{log: l.With().Str("component", "http-server").Logger()}, "", 0)
}
