package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"time"
)

// peerClientTimeout bounds one forwarded write or join request.
const peerClientTimeout = 30 * time.Second

// newPeerClient returns the HTTP client a node uses to talk to other nodes'
// APIs (writes forwarded to the leader, join requests). With cluster TLS it
// presents the node certificate, so a leader serving HTTPS sees a verified
// cluster member, and it accepts a server certificate from the cluster CA
// or, for APIs served with a public certificate, one valid for the host
// under the system roots.
func newPeerClient(cluster *tls.Config) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil, // node-to-node traffic never goes through a proxy
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: peerClientTimeout,
		ForceAttemptHTTP2:     true,
	}
	if cluster != nil {
		tr.TLSClientConfig = peerClientTLS(cluster)
	}
	return &http.Client{Timeout: peerClientTimeout, Transport: tr}
}

// peerClientTLS derives the client side of node-to-node HTTPS from the
// cluster configuration.
func peerClientTLS(cluster *tls.Config) *tls.Config {
	c := cluster.Clone()
	clusterPeer := verifyClusterPeer(cluster.RootCAs)
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		if err := clusterPeer(cs); err == nil {
			return nil
		}
		if len(cs.PeerCertificates) == 0 {
			return ErrNoPeerCert
		}
		inter := x509.NewCertPool()
		for _, pc := range cs.PeerCertificates[1:] {
			inter.AddCert(pc)
		}
		// Roots nil: the system pool; the host name must match.
		if _, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: cs.ServerName, Intermediates: inter}); err != nil {
			return fmt.Errorf("peer API certificate: %w", err)
		}
		return nil
	}
	return c
}

// apiTLS completes the API's HTTPS configuration: at least TLS 1.2 and,
// with cluster TLS, a request for (not a demand of) a client certificate
// from the cluster CA, so that requests between nodes are mutually
// authenticated while apps connect without one.
func apiTLS(httpTLS, cluster *tls.Config) *tls.Config {
	if httpTLS == nil {
		return nil
	}
	c := httpTLS.Clone()
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	if cluster != nil && c.ClientCAs == nil {
		c.ClientAuth = tls.VerifyClientCertIfGiven
		c.ClientCAs = cluster.ClientCAs
	}
	return c
}

// PeerClient returns the HTTP client for requests to other nodes (forwarded
// writes, joins); it carries the cluster certificate when one is set.
func (s *Server) PeerClient() *http.Client { return s.peer }
