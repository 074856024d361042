package workload

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/proto"
)

// Defaults of Options.
const (
	DefaultKeysPerSubmission = 14
	DefaultProviders         = 10
	DefaultAuthBatch         = 1000
	DefaultStep              = 40 * time.Millisecond
	// codeTTL is how long issued authorizations stay usable.
	codeTTL = 7 * 24 * time.Hour
)

// ErrOptions reports options the generator cannot honour.
var ErrOptions = errors.New("workload: bad options")

// Options shape a workload.
type Options struct {
	// Submissions is the number of publishes (one upload each).
	Submissions int
	// KeysPerSubmission is the keys per upload, one per day before the
	// start day (1..14; default 14).
	KeysPerSubmission int
	// Providers is the number of health-care providers (default 10).
	Providers int
	// AuthBatch is the number of codes per IssueAuthorizations command
	// (default 1000); each batch is issued just before it is used.
	AuthBatch int
	// SealEvery proposes a checkpoint seal after this many publishes (0: never).
	SealEvery int
	// Start is the leader time of the first command (default: now); Step is
	// added per command (default 40ms). Keys are valid for leader times on
	// Start's UTC day.
	Start time.Time
	Step  time.Duration
	// Seed makes the key bytes reproducible.
	Seed uint64
	// Offset numbers submissions from Offset, so that a second workload
	// continues an earlier one; providers are created only when it is 0.
	Offset int
}

// Command is one state machine command with the leader time it carries.
type Command struct {
	Type    fsmpb.CommandType
	Payload proto.Message
	Time    time.Time
}

// Encode returns the command as it goes into the Raft log and the journal.
func (c Command) Encode() ([]byte, error) { return fsm.Encode(c.Type, c.Payload, c.Time) }

func (o *Options) defaults() error {
	if o.KeysPerSubmission == 0 {
		o.KeysPerSubmission = DefaultKeysPerSubmission
	}
	if o.Providers == 0 {
		o.Providers = DefaultProviders
	}
	if o.AuthBatch == 0 {
		o.AuthBatch = DefaultAuthBatch
	}
	if o.Step == 0 {
		o.Step = DefaultStep
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	if o.Submissions < 0 || o.Offset < 0 || o.KeysPerSubmission < 1 || o.KeysPerSubmission > 14 || o.Providers < 1 || o.AuthBatch < 1 || o.SealEvery < 0 {
		return fmt.Errorf("%w: %+v", ErrOptions, *o)
	}
	return nil
}

// ProviderID, CodeHash, SubmissionID and RevisionHash name the generated
// objects, so tests can refer to them.
func ProviderID(p int) string { return fmt.Sprintf("p_gen%03d", p) }

// CodeHash is the hash of the code used by submission i.
func CodeHash(i int) []byte { return hashOf("code", i) }

// SubmissionID is the id of submission i.
func SubmissionID(i int) string { return fmt.Sprintf("s_gen%09d", i) }

// RevisionHash is the revision token hash of submission i.
func RevisionHash(i int) []byte { return hashOf("revision", i) }

func hashOf(kind string, i int) []byte {
	h := sha256.Sum256(fmt.Appendf(nil, "workload/%s/%d", kind, i))
	return h[:]
}

// Generate calls emit with each command in log order and stops at the first
// error emit returns.
func Generate(opts Options, emit func(Command) error) error {
	if err := opts.defaults(); err != nil {
		return err
	}
	now := opts.Start
	next := func(t fsmpb.CommandType, p proto.Message) error {
		c := Command{Type: t, Payload: p, Time: now}
		now = now.Add(opts.Step)
		return emit(c)
	}
	for p := range opts.Providers {
		if opts.Offset > 0 {
			break
		}
		tok := hashOf("provider-token", p)
		if err := next(fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER, &fsmpb.CreateProvider{
			Id: ProviderID(p), Name: fmt.Sprintf("Generated provider %d", p), TokenHash: tok,
		}); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(opts.Seed, uint64(opts.Offset)^0x9e3779b97f4a7c15))
	today := tek.IntervalOf(opts.Start) / tek.IntervalsPerDay * tek.IntervalsPerDay
	end := opts.Offset + opts.Submissions
	for i := opts.Offset; i < end; i++ {
		if (i-opts.Offset)%opts.AuthBatch == 0 {
			if err := next(fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, issue(i, min(opts.AuthBatch, end-i), opts.Providers, now)); err != nil {
				return err
			}
		}
		if err := next(fsmpb.CommandType_COMMAND_TYPE_PUBLISH, publish(i, opts.KeysPerSubmission, today, rng)); err != nil {
			return err
		}
		if opts.SealEvery > 0 && (i+1-opts.Offset)%opts.SealEvery == 0 {
			if err := next(fsmpb.CommandType_COMMAND_TYPE_SEAL_CHECKPOINT, &fsmpb.SealCheckpoint{}); err != nil {
				return err
			}
		}
	}
	return nil
}

// issue makes the codes of submissions first..first+n-1, all from the
// provider of the batch.
func issue(first, n, providers int, now time.Time) *fsmpb.IssueAuthorizations {
	c := &fsmpb.IssueAuthorizations{
		ProviderId: ProviderID((first / max(n, 1)) % providers), ReportType: uint32(tek.ReportConfirmed),
		ExpiresUnixMs: now.Add(codeTTL).UnixMilli(),
	}
	for i := first; i < first+n; i++ {
		c.Authorizations = append(c.Authorizations, &fsmpb.Authorization{Id: fmt.Sprintf("a_gen%09d", i), CodeHash: CodeHash(i)})
	}
	return c
}

// publish makes submission i: one key per day before today.
func publish(i, keys int, today uint32, rng *rand.Rand) *fsmpb.Publish {
	it := &fsmpb.PublishItem{CodeHash: CodeHash(i), SubmissionId: SubmissionID(i), RevisionTokenHash: RevisionHash(i)}
	for d := 1; d <= keys; d++ {
		data := make([]byte, tek.KeyLen)
		for j := 0; j < tek.KeyLen; j += 8 {
			v := rng.Uint64()
			for b := 0; b < 8; b++ {
				data[j+b] = byte(v >> (8 * b))
			}
		}
		it.Keys = append(it.Keys, &fsmpb.Key{
			Data: data, RollingStart: today - uint32(d)*tek.IntervalsPerDay,
			RollingPeriod: tek.MaxRollingPeriod, TransmissionRisk: uint32(d % 9),
		})
	}
	return &fsmpb.Publish{Items: []*fsmpb.PublishItem{it}}
}
