package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/node"
)

const tlsAdminToken = "tka_tls-test-admin"

// startTLSNode starts a node with cluster TLS and HTTPS from its CA.
func startTLSNode(t *testing.T, id string, ca *ThrowawayCA, bootstrap bool, join ...string) *Server {
	t.Helper()
	cluster, err := ca.ClusterTLS(id, "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.Issue(id+"-api", "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "api.crt"), filepath.Join(dir, "api.key")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	httpTLS, err := LoadHTTPTLS(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(Options{
		ID: id, DataDir: filepath.Join(dir, "data"), HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0",
		Bootstrap: bootstrap, Join: join, GossipAddr: "127.0.0.1:0",
		AdminToken: tlsAdminToken, HTTPTLS: httpTLS, ClusterTLS: cluster,
		Logger: zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitForVoter waits until id is a voter in leader's Raft configuration.
func waitForVoter(t *testing.T, leader *Server, id string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		f := leader.Node().Raft().GetConfiguration()
		if f.Error() == nil {
			for _, srv := range f.Configuration().Servers {
				if string(srv.ID) == id && srv.Suffrage == raft.Voter {
					return
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not become a voter", id)
}

// raftAddrOf reads a running node's Raft address from its identity file.
func raftAddrOf(t *testing.T, s *Server) string {
	t.Helper()
	id, err := node.LoadIdentity(s.opts.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	return id.RaftAddr
}

// httpsClient trusts the CA and presents no client certificate (an app).
func httpsClient(ca *ThrowawayCA) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.CertPEM())
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
}

// TestClusterMutualTLS forms a cluster over mutual TLS and checks that a
// node with a certificate from another CA, and a plain TCP client, get
// nothing from it.
func TestClusterMutualTLS(t *testing.T) {
	ca, err := NewThrowawayCA("tekstore test cluster")
	if err != nil {
		t.Fatal(err)
	}
	n1 := startTLSNode(t, "n1", ca, true)
	if _, err := n1.Node().WaitForLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(n1.URL(), "https://") {
		t.Fatalf("URL %s, want https", n1.URL())
	}
	// n2 joins through n1's HTTPS API with its cluster certificate.
	n2 := startTLSNode(t, "n2", ca, false, n1.URL())
	waitForVoter(t, n1, "n2")

	// An app over HTTPS (no client certificate) publishes on the leader;
	// the follower replicates it over mutual TLS.
	app := apiClient{t: t, c: httpsClient(ca), base: n1.URL()}
	var prov struct{ ID, Token string }
	if st := app.do("POST", "/v1/providers", tlsAdminToken, map[string]any{"name": "GGD TLS"}, &prov); st != 201 {
		t.Fatalf("provider add: %d", st)
	}
	var issued issuedCodes
	if st := app.do("POST", "/v1/authorizations", prov.Token, map[string]any{"count": 1}, &issued); st != 201 {
		t.Fatalf("authorizations: %d", st)
	}
	keys, _ := testKeys(7, 2)
	var pub publishAnswer
	if st := app.do("POST", "/v1/publish", "", map[string]any{"code": issued.Codes[0].Code, "keys": keys}, &pub); st != 200 {
		t.Fatalf("publish: %d", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n2.Node().WaitForApplied(ctx, pub.Seq); err != nil {
		t.Fatalf("n2 did not replicate seq %d: %v", pub.Seq, err)
	}
	follower := apiClient{t: t, c: httpsClient(ca), base: n2.URL()}
	// A write sent to the follower is forwarded to the leader over HTTPS
	// with the follower's cluster certificate.
	var issued2 issuedCodes
	if st := follower.do("POST", "/v1/authorizations", prov.Token, map[string]any{"count": 1}, &issued2); st != 201 {
		t.Fatalf("authorizations through the follower: %d", st)
	}
	var delta struct{ Keys []map[string]any }
	if st := follower.do("GET", fmt.Sprintf("/v1/keys?since=0&min_index=%d", pub.Seq), "", nil, &delta); st != 200 || len(delta.Keys) != 2 {
		t.Fatalf("n2 keys: %d, %d keys", st, len(delta.Keys))
	}

	// Node-to-node HTTPS: the peer client of a member is accepted; the
	// peer client of another CA's node fails the handshake.
	resp, err := n2.PeerClient().Get(n1.URL() + "/healthz")
	if err != nil {
		t.Fatalf("peer client of a member: %v", err)
	}
	resp.Body.Close()
	other, err := NewThrowawayCA("intruder")
	if err != nil {
		t.Fatal(err)
	}
	otherCluster, err := other.ClusterTLS("n3", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := newPeerClient(otherCluster).Get(n1.URL() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("a peer client from another CA reached the API")
	}

	t.Run("intruder cannot speak raft", func(t *testing.T) {
		n3 := startTLSNode(t, "n3", other, false)
		raftAddr := raftAddrOf(t, n1)
		// Its certificate is refused by the members' Raft listener ...
		cert := otherCluster.Certificates
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", raftAddr,
			&tls.Config{Certificates: cert, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // the test plays an intruder
		if err == nil {
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = conn.Write([]byte{0})
			_, err = conn.Read(make([]byte, 1))
			conn.Close()
		}
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("handshake with another CA's certificate: %v, want a certificate error", err)
		}
		// ... and it refuses the members' certificate.
		if _, err := tls.Dial("tcp", raftAddr, otherCluster); !errors.Is(err, ErrNotFromCA) {
			t.Fatalf("intruder dialing a member: %v, want ErrNotFromCA", err)
		}
		// Added as a voter, it never receives a single entry.
		if err := n1.Node().Raft().AddVoter("n3", raft.ServerAddress(raftAddrOf(t, n3)), 0, 10*time.Second).Error(); err != nil {
			t.Fatalf("add n3: %v", err)
		}
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			if got := n3.Node().AppliedIndex(); got != 0 {
				t.Fatalf("intruder applied index %d, want 0", got)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := n1.Node().Raft().RemoveServer("n3", 0, 10*time.Second).Error(); err != nil {
			t.Fatalf("remove n3: %v", err)
		}
	})

	t.Run("plain TCP gets nothing", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", raftAddrOf(t, n1), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		// An AppendEntries type byte followed by msgpack-looking garbage.
		_, _ = conn.Write(append([]byte{0, 0x85}, make([]byte, 510)...))
		got, err := io.ReadAll(conn)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the raft listener kept a plain connection open: %v", err)
		}
		if len(got) > 0 && got[0] != 0x15 { // only a TLS alert record may come back
			t.Fatalf("plain TCP client received %d bytes: %x", len(got), got[:min(len(got), 16)])
		}
	})
}

// TestClusterTLSFromPEMRejects covers the loader's refusals.
func TestClusterTLSFromPEMRejects(t *testing.T) {
	ca, err := NewThrowawayCA("a")
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewThrowawayCA("b")
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := ca.Issue("n1", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		ca, c, k  []byte
		wantErrIs error
	}{
		{"no CA", []byte("not pem"), cert, key, ErrNoCACert},
		{"other CA", other.CertPEM(), cert, key, ErrNotFromCA},
		{"key mismatch", ca.CertPEM(), cert, mustIssueKey(t, ca), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ClusterTLSFromPEM(tc.ca, tc.c, tc.k)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.wantErrIs != nil && !errors.Is(err, tc.wantErrIs) {
				t.Fatalf("error %v, want %v", err, tc.wantErrIs)
			}
		})
	}
	if _, err := ClusterTLSFromPEM(ca.CertPEM(), cert, key); err != nil {
		t.Fatalf("valid files: %v", err)
	}
	if _, err := LoadClusterTLS("/nonexistent/ca.pem", "x", "y"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func mustIssueKey(t *testing.T, ca *ThrowawayCA) []byte {
	t.Helper()
	_, key, err := ca.Issue("other")
	if err != nil {
		t.Fatal(err)
	}
	return key
}
