package transport

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/gaen"
	"github.com/tekstore/tekstore/secrets"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/proto"
)

// ckProvider is the provider every checkpoint test publishes with.
const ckProvider = "p_ckpt"

// ckHarness drives the state behind an API with explicit leader times, so
// that seals, rollbacks and retention happen exactly where a test wants.
type ckHarness struct {
	*testEnv
	now time.Time         // leader time of the next command
	key *ecdsa.PrivateKey // export signing key (nil: exports disabled)
	n   int               // counter for ids
}

// newCkHarness starts an API whose exports are signed with a fresh key and
// split every maxKeys entries; signed false disables exports.
func newCkHarness(t *testing.T, signed bool, maxKeys int) *ckHarness {
	t.Helper()
	h := &ckHarness{now: time.Now().UTC().Truncate(time.Second)}
	var exp ExportConfig
	if signed {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		h.key = k
		exp = ExportConfig{Signer: &gaen.Signer{Key: k, KeyID: "204", KeyVersion: "v7"}, Region: "NL", MaxKeysPerFile: maxKeys}
	}
	h.testEnv = newEnv(t, func(c *Config) { c.Exports = exp })
	th := secrets.TokenHash("tkp_ckpt-token")
	h.apply(fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER,
		&fsmpb.CreateProvider{Id: ckProvider, Name: "Checkpoint tests", TokenHash: th[:]})
	return h
}

// apply applies one command at the harness time and requires success.
func (h *ckHarness) apply(ct fsmpb.CommandType, msg proto.Message) fsm.Result {
	h.t.Helper()
	return h.store.mustApply(h.now, ct, msg)
}

// advance moves the leader time forward.
func (h *ckHarness) advance(d time.Duration) { h.now = h.now.Add(d) }

// keys returns n random keys for the n days before the harness day, with
// varied metadata (onset on every other key).
func (h *ckHarness) keys(n int) []tek.Key {
	h.t.Helper()
	day := tek.IntervalOf(h.now) / tek.IntervalsPerDay * tek.IntervalsPerDay
	out := make([]tek.Key, n)
	for i := range out {
		if _, err := rand.Read(out[i].Data[:]); err != nil {
			h.t.Fatal(err)
		}
		out[i].RollingStart = day - uint32(i%13+1)*tek.IntervalsPerDay
		out[i].RollingPeriod = tek.MaxRollingPeriod
		out[i].TransmissionRisk = uint8(i % 9)
		out[i].ReportType = tek.ReportConfirmed
		if i%2 == 0 {
			out[i].HasOnset, out[i].DaysSinceOnset = true, int8(i%7-3)
		}
	}
	return out
}

// publish uploads keys as one submission and returns its id. The keys are
// stored with the authorization's report type and onset, as the state
// machine decides; the returned keys are the ones the state holds.
func (h *ckHarness) publish(keys []tek.Key) string {
	h.t.Helper()
	h.n++
	code := sha256.Sum256([]byte("code-" + strconv.Itoa(h.n)))
	rev := sha256.Sum256([]byte("revision-" + strconv.Itoa(h.n)))
	h.apply(fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, &fsmpb.IssueAuthorizations{
		ProviderId: ckProvider, ReportType: uint32(tek.ReportConfirmed), ExpiresUnixMs: h.now.Add(time.Hour).UnixMilli(),
		Authorizations: []*fsmpb.Authorization{{Id: fmt.Sprintf("a_ckpt%d", h.n), CodeHash: code[:]}},
	})
	sub := fmt.Sprintf("s_ckpt%d", h.n)
	res := h.apply(fsmpb.CommandType_COMMAND_TYPE_PUBLISH, &fsmpb.Publish{Items: []*fsmpb.PublishItem{{
		CodeHash: code[:], SubmissionId: sub, RevisionTokenHash: rev[:], Keys: fsm.KeysToPB(keys),
	}}})
	items, _ := res.Value.([]fsm.PublishItemResult)
	if len(items) != 1 || items[0].Err != nil || items[0].Inserted != len(keys) {
		h.t.Fatalf("publish: %+v", items)
	}
	return sub
}

// rollback rolls a submission back as an admin.
func (h *ckHarness) rollback(sub string) {
	h.t.Helper()
	h.apply(fsmpb.CommandType_COMMAND_TYPE_ROLLBACK_SUBMISSION, &fsmpb.RollbackSubmission{SubmissionId: sub, Reason: "test"})
}

// seal seals a checkpoint carrying padding and returns its number.
func (h *ckHarness) seal(padding []tek.Key) uint32 {
	h.t.Helper()
	res := h.apply(fsmpb.CommandType_COMMAND_TYPE_SEAL_CHECKPOINT, &fsmpb.SealCheckpoint{Padding: fsm.KeysToPB(padding)})
	sr, _ := res.Value.(fsm.SealResult)
	if !sr.Sealed {
		h.t.Fatalf("seal: nothing sealed (%+v)", res)
	}
	return sr.N
}

// get fetches path with optional request headers (name, value pairs).
func (h *ckHarness) get(path string, hdr ...string) resp {
	h.t.Helper()
	m := map[string]string{}
	for i := 0; i+1 < len(hdr); i += 2 {
		m[hdr[i]] = hdr[i+1]
	}
	return h.do(req{method: http.MethodGet, path: path, headers: m})
}

// mustGet fetches path and requires 200.
func (h *ckHarness) mustGet(path string) resp {
	h.t.Helper()
	r := h.get(path)
	r.wantStatus(h.t, http.StatusOK)
	return r
}

// stored returns the state's copy of keys (report type and onset as the
// authorization set them), sorted by key bytes.
func (h *ckHarness) stored(keys []tek.Key) []tek.Key {
	h.t.Helper()
	all := map[[tek.KeyLen]byte]tek.Key{}
	for _, k := range h.store.state.Delta(0, fsm.MaxDeltaLimit).Keys {
		all[k.Data] = k
	}
	out := make([]tek.Key, 0, len(keys))
	for _, k := range keys {
		s, ok := all[k.Data]
		if !ok {
			h.t.Fatalf("key %x is not in the public set", k.Data[:4])
		}
		out = append(out, s)
	}
	slices.SortFunc(out, tek.Compare)
	return out
}

// refsOf returns the revocation references of keys, sorted by key bytes.
func refsOf(keys []tek.Key) []tek.RevokedKey {
	out := make([]tek.RevokedKey, len(keys))
	for i, k := range keys {
		out[i] = tek.RevokedKey{Data: k.Data, RollingStart: k.RollingStart}
	}
	slices.SortFunc(out, tek.CompareRevoked)
	return out
}

// wantJSONKeys compares a checkpoint body's keys with want, in order.
func wantJSONKeys(t *testing.T, got []keyOut, want []tek.Key) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d keys, want %d", len(got), len(want))
	}
	for i, k := range want {
		if w := toKeyOut(k); !sameKeyOut(got[i], w) {
			t.Fatalf("key %d = %+v, want %+v", i, got[i], w)
		}
	}
}

func sameKeyOut(a, b keyOut) bool {
	if (a.DaysSinceOnsetOfSymptoms == nil) != (b.DaysSinceOnsetOfSymptoms == nil) {
		return false
	}
	if a.DaysSinceOnsetOfSymptoms != nil && *a.DaysSinceOnsetOfSymptoms != *b.DaysSinceOnsetOfSymptoms {
		return false
	}
	a.DaysSinceOnsetOfSymptoms, b.DaysSinceOnsetOfSymptoms = nil, nil
	return a == b
}

// wantJSONRefs compares a checkpoint body's revoked keys with want, in order.
func wantJSONRefs(t *testing.T, got []keyRef, want []tek.RevokedKey) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d revoked keys, want %d", len(got), len(want))
	}
	for i, r := range want {
		w := keyRef{Key: base64.StdEncoding.EncodeToString(r.Data[:]), RollingStartNumber: r.RollingStart}
		if got[i] != w {
			t.Fatalf("revoked %d = %+v, want %+v", i, got[i], w)
		}
	}
}

// sha256Hex is the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
