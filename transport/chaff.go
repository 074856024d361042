package transport

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/tekstore/tekstore/secrets"
)

// chaffTiming remembers recent real publish latencies so that decoy answers
// take about as long as real ones.
type chaffTiming struct {
	mu      sync.Mutex
	samples [64]time.Duration
	n       int
}

func newChaffTiming() *chaffTiming { return &chaffTiming{} }

func (c *chaffTiming) observe(d time.Duration) {
	c.mu.Lock()
	c.samples[c.n%len(c.samples)] = d
	c.n++
	c.mu.Unlock()
}

// sample returns a delay drawn from the recent real latencies.
func (c *chaffTiming) sample() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(c.n, len(c.samples))
	if n == 0 {
		return 2 * time.Millisecond
	}
	i, _ := rand.Int(rand.Reader, big.NewInt(int64(n)))
	return c.samples[i.Int64()]
}

// answerChaff answers a decoy upload (X-Chaff: 1): its body was read within
// the size limit and nothing else is done; the answer has the shape and size
// of a real one and comes after a realistic delay.
func (s *Server) answerChaff(w http.ResponseWriter, r *http.Request) {
	s.metrics.chaff.Inc()
	var id [8]byte
	_, _ = rand.Read(id[:])
	tok, err := secrets.NewToken("")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ins, _ := rand.Int(rand.Reader, big.NewInt(5))
	t := time.NewTimer(s.chaff.sample())
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	writePublishResponse(w, publishResponse{
		Submission:    secrets.SubmissionIDPrefix + hex.EncodeToString(id[:]),
		Inserted:      10 + int(ins.Int64()),
		Seq:           s.store.AppliedIndex() + 1,
		RevisionToken: tok, // 32 random bytes, base64url: the length of a real one
	})
}
