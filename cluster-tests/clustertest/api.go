package clustertest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/tekstore/tekstore/tek"
)

// KeysPerUpload is how many keys Upload sends (one per day of the last two
// weeks, the most one phone has).
const KeysPerUpload = 14

// httpClient never follows redirects (the tests look at 307s).
var httpClient = &http.Client{
	Timeout:       60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Response is a decoded answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v.
func (r Response) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode %s: %w", r.Body, err)
	}
	return nil
}

// Do sends one request (body marshalled as JSON when not nil).
func Do(method, url, token string, body any) (Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Response{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return Response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

// MustDo is Do that fails the test on a transport error or another status.
func (c *Cluster) MustDo(want int, method, url, token string, body any, out any) Response {
	c.t.Helper()
	r, err := Do(method, url, token, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	if r.Status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, url, r.Status, want, r.Body)
	}
	if out != nil {
		if err := r.Decode(out); err != nil {
			c.t.Fatal(err)
		}
	}
	return r
}

// Provider is a provider created for a test.
type Provider struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// NewProvider creates a provider through node n (admin).
func (c *Cluster) NewProvider(n *Node, name string) Provider {
	c.t.Helper()
	var p Provider
	c.MustDo(http.StatusCreated, http.MethodPost, n.URL()+"/v1/providers", AdminToken, map[string]any{"name": name}, &p)
	// Tokens are checked against local state: let every node know it.
	c.WaitForApplied(c.Leader().Node().AppliedIndex())
	return p
}

// IssueCodes has the provider issue count codes through node n (at most
// 1000 per request; more are issued in several).
func (c *Cluster) IssueCodes(n *Node, p Provider, count int) []string {
	c.t.Helper()
	var out []string
	for len(out) < count {
		batch := min(count-len(out), 1000)
		var res struct {
			Codes []struct {
				Code string `json:"code"`
			} `json:"codes"`
		}
		c.MustDo(http.StatusCreated, http.MethodPost, n.URL()+"/v1/authorizations", p.Token, map[string]any{"count": batch}, &res)
		for _, cd := range res.Codes {
			out = append(out, cd.Code)
		}
	}
	// Nodes check codes against local state before forwarding an upload.
	c.WaitForApplied(c.Leader().Node().AppliedIndex())
	return out
}

// UploadKeys returns KeysPerUpload valid keys for upload number i: whole
// days over the last two weeks, key bytes derived from i (unique per i).
func UploadKeys(i int) []map[string]any {
	today := tek.IntervalOf(time.Now()) / tek.IntervalsPerDay * tek.IntervalsPerDay
	keys := make([]map[string]any, KeysPerUpload)
	for d := range keys {
		var k [16]byte
		binary.BigEndian.PutUint64(k[:8], uint64(i))
		binary.BigEndian.PutUint64(k[8:], uint64(d)|0xA5A5<<48)
		keys[d] = map[string]any{
			"key":                base64.StdEncoding.EncodeToString(k[:]),
			"rollingStartNumber": today - uint32(d+1)*tek.IntervalsPerDay,
		}
	}
	return keys
}

// PublishResult is the answer to a publish.
type PublishResult struct {
	Submission string `json:"submission"`
	Inserted   int    `json:"inserted"`
	Seq        uint64 `json:"seq"`
}

// Publish uploads UploadKeys(i) with code through node n.
func Publish(n *Node, code string, i int) (PublishResult, Response, error) {
	r, err := Do(http.MethodPost, n.URL()+"/v1/publish", "", map[string]any{"code": code, "keys": UploadKeys(i)})
	if err != nil || r.Status != http.StatusOK {
		return PublishResult{}, r, err
	}
	var res PublishResult
	err = r.Decode(&res)
	return res, r, err
}

// PublishRetry is Publish that retries 503 answers (a leader change; the
// retry of an upload is safe) until DefaultWait passes.
func PublishRetry(n *Node, code string, i int) (PublishResult, Response, error) {
	deadline := time.Now().Add(DefaultWait)
	for {
		res, r, err := Publish(n, code, i)
		if (err == nil && r.Status != http.StatusServiceUnavailable) || time.Now().After(deadline) {
			return res, r, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// PublishMany uploads len(codes) times through node n with workers in
// parallel (upload i uses codes[i] and UploadKeys(first+i)) and returns the
// highest seq. Every upload must succeed (503s are retried).
func (c *Cluster) PublishMany(n *Node, codes []string, first, workers int) uint64 {
	c.t.Helper()
	var (
		mu      sync.Mutex
		maxSeq  uint64
		firstEr error
		wg      sync.WaitGroup
		next    = make(chan int)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res, r, err := PublishRetry(n, codes[i], first+i)
				mu.Lock()
				if err == nil && r.Status != http.StatusOK {
					err = fmt.Errorf("publish %d: status %d: %s", i, r.Status, r.Body)
				}
				if err != nil && firstEr == nil {
					firstEr = err
				}
				maxSeq = max(maxSeq, res.Seq)
				mu.Unlock()
			}
		}()
	}
	for i := range codes {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstEr != nil {
		c.t.Fatal(firstEr)
	}
	return maxSeq
}
