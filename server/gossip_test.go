package server

import (
	"bytes"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/tekstore/tekstore/transport"
)

func startTestGossip(t *testing.T, id string, key []byte) (*gossip, *directory) {
	t.Helper()
	dir := newDirectory(transport.ClusterPeer{ID: id, HTTPURL: "http://" + id})
	meta := gossipMeta{ID: id, DC: "dc-" + id, HTTPURL: "http://" + id + ":8080", RaftAddr: "127.0.0.1:1", Version: "test"}
	g, err := startGossip("127.0.0.1:0", GossipLocal, key, meta, dir, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.close() })
	return g, dir
}

// TestGossipEncryption: nodes sharing the key see each other's metadata;
// a node with another key cannot join.
func TestGossipEncryption(t *testing.T) {
	key := bytes.Repeat([]byte{1}, GossipKeySize)
	a, dirA := startTestGossip(t, "a", key)
	b, _ := startTestGossip(t, "b", key)
	if err := b.join([]string{a.Addr()}); err != nil {
		t.Fatalf("join with the same key: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if url, ok := dirA.HTTPURL("b"); ok && url == "http://b:8080" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a never learned b's URL: %+v", dirA.Peers())
		}
		time.Sleep(10 * time.Millisecond)
	}
	other := bytes.Repeat([]byte{2}, GossipKeySize)
	c, _ := startTestGossip(t, "c", other)
	if err := c.join([]string{a.Addr()}); err == nil {
		t.Fatal("a node with another key joined")
	}
	if _, err := startGossip("127.0.0.1:0", GossipLocal, key[:16], gossipMeta{ID: "d"}, newDirectory(transport.ClusterPeer{ID: "d"}), zerolog.Nop()); err == nil {
		t.Fatal("a 16-byte key was accepted")
	}
}

func TestGossipMetaLimit(t *testing.T) {
	m := gossipMeta{ID: "n1", HTTPURL: "http://" + string(bytes.Repeat([]byte{'h'}, 600))}
	if _, err := m.encode(); err == nil {
		t.Fatal("metadata over 512 bytes was accepted")
	}
	b, err := gossipMeta{ID: "n1", DC: "dc1", HTTPURL: "https://node1.example.org:8443", RaftAddr: "10.0.0.1:7000", Version: "v1.2.3"}.encode()
	if err != nil || len(b) > 200 {
		t.Fatalf("typical metadata: %d bytes, %v", len(b), err)
	}
}
