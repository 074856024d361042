package server

import (
	"crypto/tls"
	"net"
	"slices"

	"github.com/tekstore/tekstore/transport"
)

// apiTLSWithProtocols returns the API's TLS configuration with the ALPN
// protocols http.Server.ServeTLS would offer: HTTP/2 and HTTP/1.1. Naming
// "h2" also makes http.Server.Serve (used instead of ServeTLS, see
// apiListener) configure HTTP/2. nil stays nil (plain HTTP).
func apiTLSWithProtocols(c *tls.Config) *tls.Config {
	if c == nil {
		return nil
	}
	next := slices.Clone(c.NextProtos)
	for _, p := range []string{"h2", "http/1.1"} {
		if !slices.Contains(next, p) {
			next = append(next, p)
		}
	}
	c.NextProtos = next
	return c
}

// apiListener is the listener the API's http.Server serves: the capped TCP
// listener wrapped by the API so that waiting long polls park outside
// net/http (transport.Server.Listener), with TLS inside that wrapper when
// the API is HTTPS. The TLS configuration is a copy of the http.Server's:
// net/http's HTTP/2 setup writes to the server's own one while connections
// are being accepted.
func apiListener(api *transport.Server, capped net.Listener, serverTLS *tls.Config) net.Listener {
	return api.Listener(capped, serverTLS.Clone())
}
