package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/gaen"
	"github.com/tekstore/tekstore/node"
)

const ckptAdminToken = "tka_checkpoint-test-admin"

// ckptNode starts one node on 127.0.0.1 port 0 with the export settings of
// the checkpoint tests: no automatic seals (the tests seal), padding to 6
// keys and export files of at most 4 keys.
func ckptNode(t *testing.T, id string, bootstrap bool, signingKey []byte) *Server {
	t.Helper()
	s, err := Start(Options{
		ID: id, DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0",
		Bootstrap: bootstrap, AdminToken: ckptAdminToken, Logger: zerolog.Nop(),
		SigningKeyPEM: signingKey, SigningKeyID: "204", SigningKeyVersion: "v1", Region: "NL",
		ExportMaxKeysPerFile: 4,
		Node:                 node.Config{CheckpointInterval: time.Hour, ExportMinKeys: 6},
	})
	if err != nil {
		t.Fatalf("start %s: %v", id, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fetch GETs path from a node and returns the body; it requires 200.
func fetch(t *testing.T, s *Server, path string) []byte {
	t.Helper()
	var body []byte
	if st := (apiClient{t: t, c: http.DefaultClient, base: s.URL()}).do("GET", path, "", nil, &body); st != http.StatusOK {
		t.Fatalf("GET %s%s: %d %s", s.URL(), path, st, body)
	}
	return body
}

// keySet returns the "key" fields of a list of JSON keys.
func keySet(keys []map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, k := range keys {
		out[k["key"].(string)] = true
	}
	return out
}

// TestCheckpointsIdenticalOnThreeNodes seals two checkpoints on a 3-node
// cluster, with a rollback of unsealed and of sealed keys in between, and
// requires every node to serve the same listing, JSON, index and export
// files, byte for byte, with signatures that verify.
func TestCheckpointsIdenticalOnThreeNodes(t *testing.T) {
	pemKey, err := gaen.GenerateSigningKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := gaen.LoadSigningKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	n1 := ckptNode(t, "n1", true, pemKey)
	if _, err := n1.Node().WaitForLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	nodes := []*Server{n1}
	for _, id := range []string{"n2", "n3"} {
		n := ckptNode(t, id, false, pemKey)
		if err := n1.Node().Raft().AddVoter(raft.ServerID(id), raft.ServerAddress(n.Node().RaftAddr()), 0, 10*time.Second).Error(); err != nil {
			t.Fatalf("add %s: %v", id, err)
		}
		nodes = append(nodes, n)
	}

	app := apiClient{t: t, c: http.DefaultClient, base: n1.URL()}
	var prov struct{ ID, Token string }
	if st := app.do("POST", "/v1/providers", ckptAdminToken, map[string]any{"name": "GGD Checkpoints"}, &prov); st != 201 {
		t.Fatalf("provider add: %d", st)
	}
	var issued issuedCodes
	if st := app.do("POST", "/v1/authorizations", prov.Token, map[string]any{"count": 3}, &issued); st != 201 {
		t.Fatalf("authorizations: %d", st)
	}
	publish := func(i int, keys []map[string]any) publishAnswer {
		var pub publishAnswer
		if st := app.do("POST", "/v1/publish", "", map[string]any{"code": issued.Codes[i].Code, "keys": keys}, &pub); st != 200 {
			t.Fatalf("publish %d: %d", i, st)
		}
		return pub
	}
	rollback := func(sub string) {
		if st := app.do("POST", "/v1/submissions/"+sub+"/rollback", prov.Token, map[string]any{"reason": "test"}, nil); st != 200 {
			t.Fatalf("rollback %s: %d", sub, st)
		}
	}
	seal := func() uint32 {
		res, err := n1.Node().Seal()
		if err != nil || !res.Sealed {
			t.Fatalf("seal: %+v %v", res, err)
		}
		return res.N
	}

	keysA, _ := testKeys(0x10, 3)
	keysB, _ := testKeys(0x20, 2)
	keysC, _ := testKeys(0x30, 2)
	pubA := publish(0, keysA)
	c1 := seal() // A + 3 padding: 2 files
	pubB := publish(1, keysB)
	publish(2, keysC)
	rollback(pubB.Submission) // unsealed: gone
	rollback(pubA.Submission) // sealed in c1: revoked in c2
	c2 := seal()              // C + 3 revoked + 1 padding: 2 files

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	last := n1.Node().AppliedIndex()
	for _, n := range nodes[1:] {
		if err := n.Node().WaitForApplied(ctx, last); err != nil {
			t.Fatalf("%s did not reach index %d: %v", n.Node().ID(), last, err)
		}
	}

	index := fetch(t, n1, "/v1/export/index.txt")
	want := fmt.Sprintf("v1/checkpoints/%[1]d/export.zip\nv1/checkpoints/%[1]d/export-2.zip\n"+
		"v1/checkpoints/%[2]d/export.zip\nv1/checkpoints/%[2]d/export-2.zip\n", c1, c2)
	if string(index) != want {
		t.Fatalf("index.txt = %q, want %q", index, want)
	}
	paths := []string{"/v1/checkpoints", "/v1/export/index.txt", fmt.Sprintf("/v1/checkpoints/%d", c1), fmt.Sprintf("/v1/checkpoints/%d", c2)}
	for _, line := range strings.Fields(string(index)) {
		paths = append(paths, "/"+line)
	}
	for _, p := range paths {
		ref := fetch(t, n1, p)
		for _, n := range nodes[1:] {
			if got := fetch(t, n, p); !bytes.Equal(got, ref) {
				t.Fatalf("GET %s: %s serves other bytes than n1", p, n.Node().ID())
			}
		}
		if strings.HasSuffix(p, ".zip") {
			if _, err := gaen.Verify(ref, &priv.PublicKey); err != nil {
				t.Fatalf("GET %s: %v", p, err)
			}
		}
	}

	// Checkpoint 2: C only, A revoked, B in neither checkpoint.
	var body2 struct {
		Keys, Revoked []map[string]any
	}
	if st := (apiClient{t: t, c: http.DefaultClient, base: nodes[2].URL()}).do("GET", fmt.Sprintf("/v1/checkpoints/%d", c2), "", nil, &body2); st != 200 {
		t.Fatalf("checkpoint %d: %d", c2, st)
	}
	if got, want := keySet(body2.Keys), keySet(keysC); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("checkpoint %d keys = %v, want C %v", c2, got, want)
	}
	if got, want := keySet(body2.Revoked), keySet(keysA); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("checkpoint %d revoked = %v, want A %v", c2, got, want)
	}
	for _, p := range []string{fmt.Sprintf("/v1/checkpoints/%d", c1), fmt.Sprintf("/v1/checkpoints/%d", c2)} {
		for k := range keySet(keysB) {
			if bytes.Contains(fetch(t, n1, p), []byte(k)) {
				t.Fatalf("%s holds a key rolled back before it was sealed", p)
			}
		}
	}
}

// TestDevSigningKeyPersists: without a key, a dev node generates one in its
// data directory, signs with it and finds the same key on the next start.
func TestDevSigningKeyPersists(t *testing.T) {
	dir := t.TempDir()
	s, err := Start(Options{
		ID: "n1", DataDir: dir, HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0",
		Bootstrap: true, AdminToken: ckptAdminToken, Logger: zerolog.Nop(), DevSigningKey: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Node().WaitForLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	app := apiClient{t: t, c: http.DefaultClient, base: s.URL()}
	var prov struct{ ID, Token string }
	if st := app.do("POST", "/v1/providers", ckptAdminToken, map[string]any{"name": "GGD Dev"}, &prov); st != 201 {
		t.Fatalf("provider add: %d", st)
	}
	var issued issuedCodes
	if st := app.do("POST", "/v1/authorizations", prov.Token, map[string]any{"count": 1}, &issued); st != 201 {
		t.Fatalf("authorizations: %d", st)
	}
	keys, _ := testKeys(0x44, 2)
	if st := app.do("POST", "/v1/publish", "", map[string]any{"code": issued.Codes[0].Code, "keys": keys}, nil); st != 200 {
		t.Fatalf("publish: %d", st)
	}
	res, err := s.Node().Seal()
	if err != nil || !res.Sealed {
		t.Fatalf("seal: %+v %v", res, err)
	}
	file := fetch(t, s, fmt.Sprintf("/v1/checkpoints/%d/export.zip", res.N))

	pemKey, err := os.ReadFile(filepath.Join(dir, DevSigningKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, DevSigningKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi, err)
	}
	priv, err := gaen.LoadSigningKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := gaen.Verify(file, &priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	info := exp.GetSignatureInfos()[0]
	if exp.GetRegion() != "XX" || info.GetVerificationKeyId() != DefaultSigningKeyID || info.GetVerificationKeyVersion() != DefaultSigningKeyVersion {
		t.Fatalf("defaults: region %q, key id %q, version %q", exp.GetRegion(), info.GetVerificationKeyId(), info.GetVerificationKeyVersion())
	}

	// The next start of the same directory signs with the same key.
	cfg, err := exportConfig(Options{DataDir: dir, DevSigningKey: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Signer.Key.Equal(priv) {
		t.Fatalf("a restart generated another dev key")
	}
}

func TestExportConfig(t *testing.T) {
	good, err := gaen.GenerateSigningKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		opts    Options
		signer  bool
		wantErr error
	}{
		{"no key", Options{DataDir: t.TempDir()}, false, nil},
		{"key", Options{SigningKeyPEM: good, SigningKeyID: "204"}, true, nil},
		{"garbage", Options{SigningKeyPEM: []byte("not a key")}, false, gaen.ErrSigningKey},
		{"garbage beats dev", Options{SigningKeyPEM: []byte("x"), DevSigningKey: true, DataDir: t.TempDir()}, false, gaen.ErrSigningKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Logger = zerolog.Nop()
			cfg, err := exportConfig(tc.opts)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if (cfg.Signer != nil) != tc.signer {
				t.Fatalf("signer = %v, want present %v", cfg.Signer, tc.signer)
			}
		})
	}
	// Start refuses a bad key before it opens anything.
	dir := t.TempDir()
	_, err = Start(Options{ID: "n1", DataDir: dir, HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0",
		AdminToken: ckptAdminToken, SigningKeyPEM: []byte("x"), Logger: zerolog.Nop()})
	if !errors.Is(err, gaen.ErrSigningKey) {
		t.Fatalf("Start with a bad key: %v", err)
	}
}
