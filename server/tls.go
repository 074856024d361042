package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// Sentinel errors of the TLS loaders.
var (
	// ErrNoCACert means the cluster CA file holds no PEM certificate.
	ErrNoCACert = errors.New("no CA certificate found")
	// ErrNotFromCA means a node certificate is not signed by the cluster CA.
	ErrNotFromCA = errors.New("certificate is not issued by the cluster CA")
	// ErrNoPeerCert means a cluster peer presented no certificate.
	ErrNoPeerCert = errors.New("peer presented no certificate")
)

// LoadHTTPTLS reads the API's certificate and key (PEM) and returns the
// server configuration for HTTPS: TLS 1.2 or newer.
func LoadHTTPTLS(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load API certificate %s / key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// LoadClusterTLS reads the cluster CA certificate and this node's
// certificate and key (PEM files) and returns the mutual-TLS configuration
// used between nodes; see ClusterTLSFromPEM.
func LoadClusterTLS(caFile, certFile, keyFile string) (*tls.Config, error) {
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read cluster CA: %w", err)
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("read cluster certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("read cluster key: %w", err)
	}
	cfg, err := ClusterTLSFromPEM(caPEM, certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("cluster TLS from %s, %s, %s: %w", caFile, certFile, keyFile, err)
	}
	return cfg, nil
}

// ClusterTLSFromPEM builds the mutual-TLS configuration between nodes. The
// same configuration serves both ends of a Raft connection: as a server it
// demands a client certificate from the cluster CA; as a client it presents
// the node certificate and accepts only a peer certificate from the cluster
// CA. Membership is proven by the CA signature, not by host names (Raft
// addresses are often bare IPs), so the peer's chain is checked in
// VerifyConnection rather than by the default host-name verification.
// Node certificates need both the serverAuth and clientAuth key usages.
func ClusterTLSFromPEM(caPEM, certPEM, keyPEM []byte) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, ErrNoCACert
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("node certificate and key: %w", err)
	}
	if err := verifyChain(pool, cert.Certificate); err != nil {
		return nil, fmt.Errorf("node certificate: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		RootCAs:      pool,
		// Host names are not checked (see above); VerifyConnection checks
		// the chain against the cluster CA on every handshake instead.
		InsecureSkipVerify: true, //nolint:gosec // chain verified in VerifyConnection
		VerifyConnection:   verifyClusterPeer(pool),
	}, nil
}

// verifyClusterPeer checks that the peer's certificate chains to the
// cluster CA.
func verifyClusterPeer(pool *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return ErrNoPeerCert
		}
		raw := make([][]byte, len(cs.PeerCertificates))
		for i, c := range cs.PeerCertificates {
			raw[i] = c.Raw
		}
		return verifyChain(pool, raw)
	}
}

// verifyChain checks a DER chain (leaf first) against the pool.
func verifyChain(pool *x509.CertPool, chain [][]byte) error {
	if len(chain) == 0 {
		return ErrNoPeerCert
	}
	certs := make([]*x509.Certificate, len(chain))
	for i, der := range chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("parse certificate: %w", err)
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots: pool, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotFromCA, err)
	}
	return nil
}
