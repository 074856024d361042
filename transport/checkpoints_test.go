package transport

import (
	"bytes"
	"fmt"
	"math/rand"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
)

// listing fetches and decodes GET /v1/checkpoints.
func (h *ckHarness) listing() (checkpointListing, resp) {
	h.t.Helper()
	r := h.mustGet("/v1/checkpoints")
	var l checkpointListing
	r.decode(h.t, &l)
	return l, r
}

// checkpointBody fetches and decodes GET /v1/checkpoints/{n}.
func (h *ckHarness) checkpointBody(n uint32) (keysResponse, resp) {
	h.t.Helper()
	r := h.mustGet(fmt.Sprintf("/v1/checkpoints/%d", n))
	var k keysResponse
	r.decode(h.t, &k)
	return k, r
}

func TestCheckpointListingAndJSON(t *testing.T) {
	h := newCkHarness(t, true, 0)
	keys := h.keys(5)
	h.publish(keys)
	sealedAt := h.now
	n := h.seal(h.keys(3))

	l, lr := h.listing()
	if got, want := lr.header.Get("Cache-Control"), "public, max-age=60"; got != want {
		t.Errorf("listing Cache-Control = %q, want %q", got, want)
	}
	if l.Latest != n || len(l.Checkpoints) != 1 {
		t.Fatalf("listing = %+v, want latest %d and one checkpoint", l, n)
	}
	sum := l.Checkpoints[0]
	ck, err := h.store.state.Checkpoint(n)
	if err != nil {
		t.Fatal(err)
	}
	ck = h.store.state.CheckpointContent(ck)
	want := checkpointSummary{N: n, Since: 0, Until: ck.Until, Keys: 5, Revoked: 0,
		SealedAt: sealedAt.Format(time.RFC3339), SHA256: sum.SHA256}
	if sum != want {
		t.Fatalf("summary = %+v, want %+v", sum, want)
	}

	body, r := h.checkpointBody(n)
	for name, want := range map[string]string{
		"Cache-Control": "public, max-age=31536000, immutable",
		"ETag":          strconv.Quote(sha256Hex(r.body)),
		"Content-Type":  "application/json",
	} {
		if got := r.header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	h.wantNodeHeaders(r)
	if sum.SHA256 != sha256Hex(r.body) {
		t.Fatalf("listing sha256 %s is not the sha256 of the body %s", sum.SHA256, sha256Hex(r.body))
	}
	if body.Since != 0 || body.Until != ck.Until || body.Reset || body.More {
		t.Fatalf("body = %+v", body)
	}
	// Sorted by key bytes, padding left out, revoked an empty list.
	wantJSONKeys(t, body.Keys, h.stored(keys))
	if !bytes.Contains(r.body, []byte(`"revoked":[]`)) {
		t.Fatalf("body %s: revoked should be an empty list", r.body)
	}
}

// TestCheckpointJSONIsDeterministic renders a checkpoint whose stored keys
// are shuffled: the bytes depend on the content only.
func TestCheckpointJSONIsDeterministic(t *testing.T) {
	h := newCkHarness(t, true, 0)
	h.publish(h.keys(9))
	n := h.seal(nil)
	ck, err := h.store.state.Checkpoint(n)
	if err != nil {
		t.Fatal(err)
	}
	ck = h.store.state.CheckpointContent(ck)
	_, r := h.checkpointBody(n)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 5; i++ {
		shuffled := *ck
		shuffled.Keys = append([]tek.Key(nil), ck.Keys...)
		rng.Shuffle(len(shuffled.Keys), func(a, b int) { shuffled.Keys[a], shuffled.Keys[b] = shuffled.Keys[b], shuffled.Keys[a] })
		rb, err := renderCheckpointJSON(&shuffled, &shuffled)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(rb.body, r.body) {
			t.Fatalf("render %d differs from the served body", i)
		}
	}
}

// TestCheckpointRollbackBetweenSeals: keys rolled back before they were
// sealed are in no checkpoint; sealed keys rolled back are revoked in the
// next one; the earlier checkpoint does not change.
func TestCheckpointRollbackBetweenSeals(t *testing.T) {
	h := newCkHarness(t, true, 0)
	a, b, c := h.keys(3), h.keys(4), h.keys(2)
	subA := h.publish(a)
	storedA := h.stored(a)
	n1 := h.seal(nil)
	_, r1 := h.checkpointBody(n1)

	h.advance(time.Minute)
	subB := h.publish(b)
	h.publish(c)
	h.rollback(subB) // not sealed yet: simply gone
	h.rollback(subA) // sealed in n1: revoked in n2
	n2 := h.seal(nil)

	body1, again := h.checkpointBody(n1)
	if !bytes.Equal(again.body, r1.body) || again.header.Get("ETag") != r1.header.Get("ETag") {
		t.Fatalf("checkpoint %d changed after a later rollback", n1)
	}
	wantJSONKeys(t, body1.Keys, storedA)
	body2, _ := h.checkpointBody(n2)
	if body2.Since != body1.Until {
		t.Fatalf("checkpoint %d since = %d, want the previous until %d", n2, body2.Since, body1.Until)
	}
	wantJSONKeys(t, body2.Keys, h.stored(c))
	wantJSONRefs(t, body2.Revoked, refsOf(a))
	for _, body := range []keysResponse{body1, body2} {
		for _, k := range body.Keys {
			for _, rolled := range b {
				if toKeyOut(rolled).Key == k.Key {
					t.Fatalf("a key rolled back before its seal appears in a checkpoint")
				}
			}
		}
	}
	l, _ := h.listing()
	if l.Latest != n2 || len(l.Checkpoints) != 2 || l.Checkpoints[1].Keys != 2 || l.Checkpoints[1].Revoked != 3 {
		t.Fatalf("listing = %+v", l)
	}
}

func TestCheckpointConditionalGet(t *testing.T) {
	h := newCkHarness(t, true, 0)
	h.publish(h.keys(2))
	h.seal(h.keys(2))
	for _, path := range []string{"/v1/checkpoints", "/v1/checkpoints/1", "/v1/checkpoints/1/export.zip", "/v1/export/index.txt"} {
		t.Run(path, func(t *testing.T) {
			first := h.mustGet(path)
			etag := first.header.Get("ETag")
			if etag != strconv.Quote(sha256Hex(first.body)) {
				t.Fatalf("ETag = %q, want the quoted sha256 of the body", etag)
			}
			for _, tc := range []struct {
				inm  string
				want int
			}{
				{etag, http.StatusNotModified},
				{"W/" + etag, http.StatusNotModified},
				{`"0000", ` + etag, http.StatusNotModified},
				{"*", http.StatusNotModified},
				{`"0000"`, http.StatusOK},
			} {
				r := h.get(path, "If-None-Match", tc.inm)
				if r.status != tc.want {
					t.Fatalf("If-None-Match %s: status %d, want %d", tc.inm, r.status, tc.want)
				}
				if r.header.Get("ETag") != etag || r.header.Get("Cache-Control") != first.header.Get("Cache-Control") {
					t.Fatalf("If-None-Match %s: headers %v", tc.inm, r.header)
				}
				if tc.want == http.StatusNotModified && len(r.body) != 0 {
					t.Fatalf("304 with a body")
				}
				if tc.want == http.StatusOK && !bytes.Equal(r.body, first.body) {
					t.Fatalf("200 with another body")
				}
			}
		})
	}
}

func TestCheckpointPaths(t *testing.T) {
	h := newCkHarness(t, true, 0)
	h.publish(h.keys(2))
	h.seal(nil)
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/v1/checkpoints/1", 200, ""},
		{"/v1/checkpoints/1/export.zip", 200, ""},
		{"/v1/checkpoints/0", 404, codeNotFound},
		{"/v1/checkpoints/2", 404, codeNotFound},
		{"/v1/checkpoints/4294967295", 404, codeNotFound},
		{"/v1/checkpoints/99999999999", 404, codeNotFound},
		{"/v1/checkpoints/abc", 400, codeBadRequest},
		{"/v1/checkpoints/01", 400, codeBadRequest},
		{"/v1/checkpoints/-1", 400, codeBadRequest},
		{"/v1/checkpoints/+1", 400, codeBadRequest},
		{"/v1/checkpoints/1.0", 400, codeBadRequest},
		{"/v1/checkpoints/%31", 400, codeBadRequest},
		{"/v1/checkpoints/..", 400, codeBadRequest},
		{"/v1/checkpoints/123456789012345678901234567890", 400, codeBadRequest},
		{"/v1/checkpoints/x/export.zip", 400, codeBadRequest},
		{"/v1/checkpoints/2/export.zip", 404, codeNotFound},
		{"/v1/checkpoints/1/export-1.zip", 404, codeNotFound},
		{"/v1/checkpoints/1/export-2.zip", 404, codeNotFound},
		{"/v1/checkpoints/1/export-02.zip", 404, codeNotFound},
		{"/v1/checkpoints/1/export-x.zip", 404, codeNotFound},
		{"/v1/checkpoints/1/export.bin", 404, codeNotFound},
		{"/v1/checkpoints/1/", 404, codeNotFound},
	} {
		r := h.get(tc.path)
		if r.status != tc.status {
			t.Errorf("GET %s: status %d, want %d (%s)", tc.path, r.status, tc.status, r.body)
			continue
		}
		if tc.code != "" {
			if got := errorOf(t, r).Code; got != tc.code {
				t.Errorf("GET %s: code %q, want %q", tc.path, got, tc.code)
			}
		}
		if loc := r.header.Get("Location"); loc != "" {
			t.Errorf("GET %s: redirect to %s", tc.path, loc)
		}
	}
}

// TestCheckpointRetention: checkpoints past retention leave the listing,
// the index and their URLs, in step with the state machine's pruning.
func TestCheckpointRetention(t *testing.T) {
	h := newCkHarness(t, true, 0)
	h.publish(h.keys(2))
	first := h.now
	n1 := h.seal(nil)
	h.advance(24 * time.Hour)
	h.publish(h.keys(3))
	n2 := h.seal(nil)
	_, r2 := h.checkpointBody(n2)
	for _, p := range []string{"/v1/checkpoints", fmt.Sprintf("/v1/checkpoints/%d", n1), fmt.Sprintf("/v1/checkpoints/%d/export.zip", n1), "/v1/export/index.txt"} {
		h.mustGet(p) // fill the caches
	}

	h.now = first.Add(h.store.state.Retention() + time.Hour)
	h.apply(fsmpb.CommandType_COMMAND_TYPE_TICK, &fsmpb.Tick{})

	l, _ := h.listing()
	if l.Latest != n2 || len(l.Checkpoints) != 1 || l.Checkpoints[0].N != n2 {
		t.Fatalf("listing after retention = %+v, want only checkpoint %d", l, n2)
	}
	if l.Checkpoints[0].SHA256 != sha256Hex(r2.body) {
		t.Fatalf("checkpoint %d digest changed", n2)
	}
	for _, p := range []string{fmt.Sprintf("/v1/checkpoints/%d", n1), fmt.Sprintf("/v1/checkpoints/%d/export.zip", n1)} {
		if r := h.get(p); r.status != http.StatusNotFound {
			t.Fatalf("GET %s after retention: %d", p, r.status)
		}
	}
	if got, want := string(h.mustGet("/v1/export/index.txt").body), fmt.Sprintf("v1/checkpoints/%d/export.zip\n", n2); got != want {
		t.Fatalf("index after retention = %q, want %q", got, want)
	}
}

// TestCheckpointConcurrentReads serves every endpoint from several
// goroutines while checkpoints are sealed: each answer's ETag is the hash of
// its own body.
func TestCheckpointConcurrentReads(t *testing.T) {
	h := newCkHarness(t, true, 3)
	h.publish(h.keys(2))
	h.seal(nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths := []string{"/v1/checkpoints", "/v1/checkpoints/1", "/v1/checkpoints/1/export.zip", "/v1/export/index.txt", "/v1/checkpoints/2/export-2.zip"}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				res, err := http.Get(h.srv.URL + paths[i%len(paths)])
				if err != nil {
					t.Error(err)
					return
				}
				var buf bytes.Buffer
				_, err = buf.ReadFrom(res.Body)
				res.Body.Close()
				if err != nil {
					t.Error(err)
					return
				}
				if res.StatusCode == http.StatusOK && res.Header.Get("ETag") != strconv.Quote(sha256Hex(buf.Bytes())) {
					t.Errorf("GET %s: ETag does not match the body", paths[i%len(paths)])
					return
				}
			}
		}()
	}
	for i := 0; i < 5; i++ {
		h.advance(time.Minute)
		h.publish(h.keys(2))
		h.seal(h.keys(4))
	}
	close(stop)
	wg.Wait()
	l, _ := h.listing()
	if len(l.Checkpoints) != 6 {
		t.Fatalf("%d checkpoints, want 6", len(l.Checkpoints))
	}
	for _, s := range l.Checkpoints {
		ck, err := h.store.state.Checkpoint(s.N)
		if err != nil {
			t.Fatal(err)
		}
		ck = h.store.state.CheckpointContent(ck)
		rb, err := renderCheckpointJSON(ck, ck)
		if err != nil {
			t.Fatal(err)
		}
		if s.SHA256 != sha256Hex(rb.body) {
			t.Fatalf("checkpoint %d: listed digest is not the digest of its body", s.N)
		}
	}
}
