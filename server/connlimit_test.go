package server

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// TestConnectionCap: with MaxConnections open (idle, slowloris-style)
// connections, a further client is not served until one closes; the
// process holds no more connections than the cap.
func TestConnectionCap(t *testing.T) {
	s, err := Start(Options{ID: "n1", DataDir: t.TempDir(), HTTPAddr: "127.0.0.1:0", RaftAddr: "127.0.0.1:0",
		Bootstrap: true, AdminToken: "tka_cap", Logger: zerolog.Nop(), MaxConnections: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	addr := s.httpLn.Addr().String()
	var held []net.Conn
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		_, _ = c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")) // headers never finished
	}
	hc := &http.Client{Timeout: 700 * time.Millisecond}
	if resp, err := hc.Get(s.URL() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("a fourth connection was served while 3 were held (cap 3)")
	}
	held[0].Close()
	hc.Timeout = 10 * time.Second
	resp, err := hc.Get(s.URL() + "/healthz")
	if err != nil {
		t.Fatalf("after one connection closed: %v", err)
	}
	resp.Body.Close()
	for _, c := range held[1:] {
		c.Close()
	}
}
