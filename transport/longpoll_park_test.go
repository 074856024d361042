package transport

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// newParkingEnvOn starts an API on st behind a parking listener
// (Server.Listener), so that its long polls park outside net/http.
func newParkingEnvOn(t *testing.T, st *fakeStore, cfg ...func(*Config)) *testEnv {
	t.Helper()
	return startEnv(t, st, true, cfg...)
}

// parkedCount is the number of waiters in the API's parking lot.
func parkedCount(s *Server) int {
	l := s.lot.Load()
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// rawConn is one client connection written and read by hand.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, e *testEnv) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

func (r *rawConn) write(s string) {
	r.t.Helper()
	if _, err := io.WriteString(r.c, s); err != nil {
		r.t.Fatal(err)
	}
}

// read reads one answer with its body.
func (r *rawConn) read() (*http.Response, []byte) {
	r.t.Helper()
	res, err := http.ReadResponse(r.br, nil)
	if err != nil {
		r.t.Fatalf("read answer: %v", err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		r.t.Fatalf("read body: %v", err)
	}
	return res, b
}

// closedByServer reports whether the server closed the connection.
func (r *rawConn) closedByServer() bool {
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := r.br.ReadByte()
	return err == io.EOF
}

func keysRequest(proto, since, wait string, headers ...string) string {
	return fmt.Sprintf("GET /v1/keys?since=%s&wait=%s %s\r\nHost: x\r\n%s\r\n", since, wait, proto, strings.Join(headers, ""))
}

// TestParkedAnswerMatchesUnparked: a parked long poll's answer has the
// status, headers and body of the same answer written in the handler,
// plain and gzip.
func TestParkedAnswerMatchesUnparked(t *testing.T) {
	for _, tc := range []struct {
		name, encoding string
	}{{"plain", ""}, {"gzip", "gzip"}} {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeStore(t, "n1")
			parked := newParkingEnvOn(t, st)
			plain := newEnvOn(t, st)
			plain.client.Transport = &http.Transport{DisableCompression: true}
			parked.provider("p_a", 0)
			parked.publishN(1, 1)
			since := st.AppliedIndex()
			path := fmt.Sprintf("/v1/keys?since=%d&wait=50s", since)
			r := req{method: "GET", path: path, headers: map[string]string{"Accept-Encoding": tc.encoding}}
			got, want := make(chan resp, 1), make(chan resp, 1)
			go func() { got <- parked.doAsync(r) }()
			go func() { want <- plain.doAsync(r) }()
			waitFor(t, "one parked and one waiting poll", func() bool {
				return parkedCount(parked.api) == 1 && gaugeValue(t, plain.api.metrics.longPolls) == 1
			})
			if g := gaugeValue(t, parked.api.metrics.longPolls); g != 1 {
				t.Fatalf("long-poll gauge %v with one parked waiter", g)
			}
			parked.publish(parked.code("p_a", time.Hour), pastKeys(t, 14)) // > 1 KiB: gzip applies
			a, b := <-got, <-want
			if a.status != http.StatusOK || a.status != b.status {
				t.Fatalf("status parked %d, in handler %d (%s)", a.status, b.status, a.body)
			}
			if !bytes.Equal(a.body, b.body) {
				t.Fatalf("bodies differ:\nparked %q\nhandler %q", a.body, b.body)
			}
			if _, err := http.ParseTime(a.header.Get("Date")); err != nil {
				t.Fatalf("parked Date %q: %v", a.header.Get("Date"), err)
			}
			a.header.Del("Date")
			b.header.Del("Date")
			if fmt.Sprint(a.header) != fmt.Sprint(b.header) {
				t.Fatalf("headers differ:\nparked %v\nhandler %v", a.header, b.header)
			}
			if (a.header.Get("Content-Encoding") == "gzip") != (tc.encoding == "gzip") {
				t.Fatalf("Content-Encoding %q asked %q", a.header.Get("Content-Encoding"), tc.encoding)
			}
			waitFor(t, "the gauge back to 0", func() bool { return gaugeValue(t, parked.api.metrics.longPolls) == 0 })
		})
	}
}

// TestParkedConnectionReuse: after a parked answer (here at the wait's
// deadline: an empty delta, 200) the same connection serves the next
// request, unless the request asked to close (Connection: close, HTTP/1.0
// without keep-alive).
func TestParkedConnectionReuse(t *testing.T) {
	for _, tc := range []struct {
		name, proto, header string
		wantConnection      string // net/http's ReadResponse drops "close" and sets Close
		reused              bool
	}{
		{"http/1.1", "HTTP/1.1", "", "", true},
		{"http/1.1 close", "HTTP/1.1", "Connection: close\r\n", "", false},
		{"http/1.0", "HTTP/1.0", "", "", false},
		{"http/1.0 keep-alive", "HTTP/1.0", "Connection: keep-alive\r\n", "keep-alive", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newParkingEnvOn(t, newFakeStore(t, "n1"))
			e.provider("p_a", 0)
			since := fmt.Sprint(e.store.AppliedIndex())
			c := dialRaw(t, e)
			start := time.Now()
			c.write(keysRequest(tc.proto, since, "1s", tc.header))
			waitFor(t, "the poll parked", func() bool { return parkedCount(e.api) == 1 })
			res, body := c.read()
			if el := time.Since(start); el < time.Second {
				t.Fatalf("answered after %v, before the 1s wait", el)
			}
			if res.StatusCode != http.StatusOK || res.Proto != tc.proto || res.Header.Get("Connection") != tc.wantConnection || res.Close == tc.reused {
				t.Fatalf("answer %s %d Connection %q close %v", res.Proto, res.StatusCode, res.Header.Get("Connection"), res.Close)
			}
			if want := fmt.Sprintf(`{"since":%s,"until":%s,"reset":false,"more":false,"keys":[],"revoked":[]}`, since, since); strings.TrimSpace(string(body)) != want {
				t.Fatalf("body %s, want %s", body, want)
			}
			if res.Header.Get("X-Tekstore-Node") != "n1" || res.Header.Get("X-Tekstore-Index") != since {
				t.Fatalf("node headers %v", res.Header)
			}
			if !tc.reused {
				if !c.closedByServer() {
					t.Fatal("the connection stayed open")
				}
				return
			}
			c.write(fmt.Sprintf("GET /healthz %s\r\nHost: x\r\n%s\r\n", tc.proto, tc.header))
			if res, _ := c.read(); res.StatusCode != http.StatusOK {
				t.Fatalf("next request on the connection: %d", res.StatusCode)
			}
			waitFor(t, "the gauge back to 0", func() bool { return gaugeValue(t, e.api.metrics.longPolls) == 0 })
		})
	}
}

// TestParkedPipelining: requests a client sends behind its long poll,
// before or while it is parked, are answered after it on the same
// connection.
func TestParkedPipelining(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before bool
	}{{"sent with the poll", true}, {"sent while parked", false}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newParkingEnvOn(t, newFakeStore(t, "n1"))
			e.provider("p_a", 0) // since=0 on an empty store is a reset, not a wait
			since := fmt.Sprint(e.store.AppliedIndex())
			next := "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
			c := dialRaw(t, e)
			if tc.before {
				c.write(keysRequest("HTTP/1.1", since, "300ms") + next)
			} else {
				c.write(keysRequest("HTTP/1.1", since, "2s"))
				waitFor(t, "the poll parked", func() bool { return parkedCount(e.api) == 1 })
				c.write(next)
			}
			if res, body := c.read(); res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"keys":[]`) {
				t.Fatalf("long poll: %d %s", res.StatusCode, body)
			}
			if res, body := c.read(); res.StatusCode != http.StatusOK || strings.Contains(string(body), "keys") {
				t.Fatalf("pipelined request: %d %s", res.StatusCode, body)
			}
		})
	}
}

// TestParkedClientGone: a client that closes its connection frees its
// per-client long-poll place at once, so with a limit of one the same
// client's next long poll is admitted.
func TestParkedClientGone(t *testing.T) {
	e := newParkingEnvOn(t, newFakeStore(t, "n1"), func(c *Config) { c.Limits.LongPollsPerClient = 1 })
	e.provider("p_a", 0)
	since := fmt.Sprint(e.store.AppliedIndex())
	c := dialRaw(t, e)
	c.write(keysRequest("HTTP/1.1", since, "50s"))
	waitFor(t, "the poll parked", func() bool { return parkedCount(e.api) == 1 })
	if r := e.do(req{method: "GET", path: "/v1/keys?since=" + since + "&wait=1s"}); r.status != http.StatusTooManyRequests {
		t.Fatalf("second long poll with the limit at 1: %d", r.status)
	}
	_ = c.c.Close()
	waitFor(t, "the waiter gone", func() bool {
		return parkedCount(e.api) == 0 && gaugeValue(t, e.api.metrics.longPolls) == 0
	})
	if r := e.do(req{method: "GET", path: "/v1/keys?since=" + since + "&wait=10ms"}); r.status != http.StatusOK {
		t.Fatalf("long poll after the first client left: %d %s", r.status, r.body)
	}
}

// TestParkedShutdown: closing the server closes the parked connections and
// ends their goroutines.
func TestParkedShutdown(t *testing.T) {
	before := runtime.NumGoroutine()
	e := newParkingEnvOn(t, newFakeStore(t, "n1"))
	e.provider("p_a", 0)
	since := fmt.Sprint(e.store.AppliedIndex())
	var conns []*rawConn
	for range 3 {
		c := dialRaw(t, e)
		c.write(keysRequest("HTTP/1.1", since, "50s"))
		conns = append(conns, c)
	}
	waitFor(t, "the polls parked", func() bool { return parkedCount(e.api) == 3 })
	e.srv.Close()
	for i, c := range conns {
		_ = c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.br.ReadByte(); err == nil || isTimeout(err) {
			t.Fatalf("parked connection %d after Close: %v", i, err)
		}
	}
	if g := gaugeValue(t, e.api.metrics.longPolls); g != 0 {
		t.Fatalf("long-poll gauge %v after Close", g)
	}
	e.client.CloseIdleConnections()
	waitFor(t, "the goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestParkedWokenOnlyByPublicChanges: commands that leave the public set
// alone (here codes issued) wake no parked waiter; a publish wakes it and
// it answers with the new keys.
func TestParkedWokenOnlyByPublicChanges(t *testing.T) {
	e := newParkingEnvOn(t, newFakeStore(t, "n1"))
	e.provider("p_a", 0)
	e.publishN(1, 1)
	since := e.store.AppliedIndex()
	got := make(chan resp, 1)
	go func() { got <- e.doAsync(req{method: "GET", path: fmt.Sprintf("/v1/keys?since=%d&wait=50s", since)}) }()
	waitFor(t, "the poll parked", func() bool { return parkedCount(e.api) == 1 })
	lot := e.api.lot.Load()
	for i := 0; i < 5; i++ {
		gen := lot.gen.Load()
		e.code("p_a", time.Hour) // an applied command, no key
		waitFor(t, "the watcher's broadcast", func() bool { return lot.gen.Load() > gen })
	}
	if n := lot.wakeups.Load(); n != 0 || parkedCount(e.api) != 1 {
		t.Fatalf("after codes were issued: %d wake-ups, %d parked; want 0 and 1", n, parkedCount(e.api))
	}
	e.publish(e.code("p_a", time.Hour), pastKeys(t, 3))
	r := <-got
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"keys":[{`) {
		t.Fatalf("answer after a publish: %d %s", r.status, r.body)
	}
	if lot.wakeups.Load() == 0 {
		t.Fatal("answered without a wake-up")
	}
}
