package fsm

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/proto"
)

// t0 is the leader time most tests start at: midday, so that the current
// UTC day has started 72 intervals ago.
var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// dayStart is the first interval of the UTC day holding t.
func dayStart(t time.Time) uint32 {
	return tek.IntervalOf(t) / tek.IntervalsPerDay * tek.IntervalsPerDay
}

// hashOf names a code, token or revision token in tests.
func hashOf(s string) Hash { return sha256.Sum256([]byte(s)) }

// harness applies commands to one State with explicit leader times.
type harness struct {
	t   testing.TB
	s   *State
	idx uint64
	now time.Time
	rng *rand.Rand
	n   int // counter for generated ids

	mirrors []*State // states that get every command too, with equal results
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return &harness{t: t, s: New(Config{}), now: t0, rng: rand.New(rand.NewSource(1))}
}

// envelope encodes a command at the harness time.
func (h *harness) envelope(ct fsmpb.CommandType, msg proto.Message) []byte {
	h.t.Helper()
	b, err := Encode(ct, msg, h.now)
	if err != nil {
		h.t.Fatalf("Encode: %v", err)
	}
	return b
}

// apply applies one command at the next index and the harness time.
func (h *harness) apply(ct fsmpb.CommandType, msg proto.Message) Result {
	h.t.Helper()
	h.idx++
	data := h.envelope(ct, msg)
	res, err := h.s.Apply(h.idx, data)
	if err != nil {
		h.t.Fatalf("Apply(%d, %v): %v", h.idx, ct, err)
	}
	if res.Seq != h.idx {
		h.t.Fatalf("Apply(%d).Seq = %d", h.idx, res.Seq)
	}
	for i, m := range h.mirrors {
		mres, err := m.Apply(h.idx, data)
		if err != nil {
			h.t.Fatalf("mirror %d: Apply(%d): %v", i, h.idx, err)
		}
		if fmt.Sprint(mres) != fmt.Sprint(res) {
			h.t.Fatalf("mirror %d: Apply(%d) = %v, want %v", i, h.idx, mres, res)
		}
	}
	return res
}

// advance moves the harness clock.
func (h *harness) advance(d time.Duration) { h.now = h.now.Add(d) }

// tick applies a Tick at the harness time and returns its seq.
func (h *harness) tick() uint64 {
	h.t.Helper()
	return h.apply(fsmpb.CommandType_COMMAND_TYPE_TICK, &fsmpb.Tick{}).Seq
}

// mustOK fails the test when a result carries a domain error.
func (h *harness) mustOK(r Result) Result {
	h.t.Helper()
	if r.Err != nil {
		h.t.Fatalf("index %d: unexpected error %v", r.Seq, r.Err)
	}
	return r
}

// provider creates a provider with token hash hashOf("token-"+id).
func (h *harness) provider(id string, quota uint32) {
	h.t.Helper()
	h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER, &fsmpb.CreateProvider{
		Id: id, Name: "Provider " + id, TokenHash: hashOf("token-" + id).slice(), QuotaPerDay: quota}))
}

func (h Hash) slice() []byte { return append([]byte(nil), h[:]...) }

// issueReq describes an IssueAuthorizations command; zero fields get
// defaults (confirmed, 48h, no onset).
type issueReq struct {
	provider string
	rt       tek.ReportType
	onset    *int32 // onset day, days since epoch
	ttl      time.Duration
	codes    []string
}

func (h *harness) issueCmd(r issueReq) *fsmpb.IssueAuthorizations {
	if r.rt == 0 {
		r.rt = tek.ReportConfirmed
	}
	if r.ttl == 0 {
		r.ttl = 48 * time.Hour
	}
	c := &fsmpb.IssueAuthorizations{ProviderId: r.provider, ReportType: uint32(r.rt),
		ExpiresUnixMs: h.now.Add(r.ttl).UnixMilli()}
	if r.onset != nil {
		c.HasOnset, c.OnsetDay = true, *r.onset
	}
	for _, code := range r.codes {
		c.Authorizations = append(c.Authorizations, &fsmpb.Authorization{Id: "a-" + code, CodeHash: hashOf(code).slice()})
	}
	return c
}

// issue issues the codes and fails on refusal.
func (h *harness) issue(r issueReq) AuthorizationsResult {
	h.t.Helper()
	res := h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, h.issueCmd(r)))
	return res.Value.(AuthorizationsResult)
}

// code issues one confirmed code of provider and returns its name.
func (h *harness) code(provider string) string {
	h.t.Helper()
	h.n++
	c := fmt.Sprintf("code-%d", h.n)
	h.issue(issueReq{provider: provider, codes: []string{c}})
	return c
}

// item builds a publish item for code, with submission id "s-"+code and
// revision token "rev-"+code.
func item(code string, keys []tek.Key) *fsmpb.PublishItem {
	return &fsmpb.PublishItem{CodeHash: hashOf(code).slice(), SubmissionId: "s-" + code,
		RevisionTokenHash: hashOf("rev-" + code).slice(), Keys: KeysToPB(keys)}
}

// publishItems applies one Publish command with several items.
func (h *harness) publishItems(items ...*fsmpb.PublishItem) ([]PublishItemResult, uint64) {
	h.t.Helper()
	res := h.mustOK(h.apply(fsmpb.CommandType_COMMAND_TYPE_PUBLISH, &fsmpb.Publish{Items: items}))
	return res.Value.([]PublishItemResult), res.Seq
}

// publish uploads keys with code and returns the item result.
func (h *harness) publish(code string, keys []tek.Key) PublishItemResult {
	h.t.Helper()
	out, _ := h.publishItems(item(code, keys))
	return out[0]
}

// mustPublish uploads keys and fails unless accepted.
func (h *harness) mustPublish(code string, keys []tek.Key) PublishItemResult {
	h.t.Helper()
	r := h.publish(code, keys)
	if r.Err != nil {
		h.t.Fatalf("publish %s: %v", code, r.Err)
	}
	return r
}

// key returns a key with seeded random bytes.
func (h *harness) key(start uint32, period uint8) tek.Key {
	k := tek.Key{RollingStart: start, RollingPeriod: period, TransmissionRisk: uint8(h.rng.Intn(9))}
	h.rng.Read(k.Data[:])
	return k
}

// pastKeys returns n full-day keys for the n days before the harness day.
func (h *harness) pastKeys(n int) []tek.Key {
	d := dayStart(h.now)
	out := make([]tek.Key, n)
	for i := range out {
		out[i] = h.key(d-uint32(i+1)*tek.IntervalsPerDay, tek.MaxRollingPeriod)
	}
	return out
}

// todayKey returns a full-day key for the harness day (window still open).
func (h *harness) todayKey() tek.Key { return h.key(dayStart(h.now), tek.MaxRollingPeriod) }

// keySet collects key bytes for set comparisons.
func keySet(keys []tek.Key) map[[tek.KeyLen]byte]bool {
	m := map[[tek.KeyLen]byte]bool{}
	for _, k := range keys {
		m[k.Data] = true
	}
	return m
}

func hasKey(keys []tek.Key, k tek.Key) bool {
	for _, x := range keys {
		if x.Data == k.Data {
			return true
		}
	}
	return false
}

func hasRevoked(refs []tek.RevokedKey, k tek.Key) bool {
	for _, r := range refs {
		if r.Data == k.Data && r.RollingStart == k.RollingStart {
			return true
		}
	}
	return false
}

func refsOf(keys ...tek.Key) []*fsmpb.KeyRef {
	out := make([]*fsmpb.KeyRef, len(keys))
	for i, k := range keys {
		out[i] = refToPB(tek.RevokedKey{Data: k.Data, RollingStart: k.RollingStart})
	}
	return out
}

// snapshotBytes writes a snapshot of s.
func snapshotBytes(t testing.TB, s *State) []byte {
	t.Helper()
	var buf bytes.Buffer
	f := s.Freeze()
	n, err := f.WriteTo(&buf)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo returned %d, wrote %d bytes", n, buf.Len())
	}
	return buf.Bytes()
}

// restored returns a fresh state restored from a snapshot of s.
func restored(t testing.TB, s *State) *State {
	t.Helper()
	r := New(Config{Retention: s.Retention()})
	if err := r.Restore(bytes.NewReader(snapshotBytes(t, s))); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	return r
}

// contentDigest hashes the snapshot of s without the applied index and the
// leader time, which every command moves, refused or not.
func contentDigest(s *State) string {
	f := s.Freeze()
	f.meta.AppliedIndex, f.meta.NowUnixMs, f.meta.LastPruneMs = 0, 0, 0
	h := sha256.New()
	if _, err := f.WriteTo(h); err != nil {
		panic(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func wantErr(t testing.TB, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Fatalf("error = %v, want %v", got, want)
	}
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
