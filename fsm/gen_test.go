package fsm

import (
	"fmt"
	"math/rand"
	"time"

	"github.com/tekstore/tekstore/fsm/fsmpb"
	"github.com/tekstore/tekstore/tek"
	"google.golang.org/protobuf/proto"
)

// gen makes a random but seeded log: every command type, refusals of every
// kind (unknown ids, used codes, invalid keys), time jumps and, when fatal
// is set, entries a state machine must refuse as a whole.
type gen struct {
	rng       *rand.Rand
	now       time.Time
	fatal     bool
	providers []string
	codes     []string
	fresh     []string // codes never used by the generator
	subs      []string
	keys      []tek.Key
	n         int
}

func newGen(seed int64, fatal bool) *gen {
	return &gen{rng: rand.New(rand.NewSource(seed)), now: t0, fatal: fatal}
}

func (g *gen) pick(xs []string) string {
	if len(xs) == 0 || g.rng.Intn(20) == 0 {
		return "unknown"
	}
	return xs[g.rng.Intn(len(xs))]
}

func (g *gen) newKeys() []tek.Key {
	d := dayStart(g.now)
	n := 1 + g.rng.Intn(6)
	var out []tek.Key
	for i := 0; i < n; i++ {
		start := d - uint32(i+1)*tek.IntervalsPerDay
		period := uint8(tek.MaxRollingPeriod)
		if i == 0 && g.rng.Intn(4) == 0 {
			start, period = d, tek.MaxRollingPeriod // embargoed
		}
		if g.rng.Intn(8) == 0 {
			start, period = tek.IntervalOf(g.now)-uint32(g.rng.Intn(3)), uint8(1+g.rng.Intn(3))
			if i > 0 {
				continue
			}
		}
		k := tek.Key{RollingStart: start, RollingPeriod: period, TransmissionRisk: uint8(g.rng.Intn(9))}
		g.rng.Read(k.Data[:])
		if g.rng.Intn(3) == 0 {
			k.HasOnset, k.DaysSinceOnset = true, int8(g.rng.Intn(29)-14)
		}
		if len(g.keys) > 0 && g.rng.Intn(15) == 0 {
			k = g.keys[g.rng.Intn(len(g.keys))] // already known
		}
		out = append(out, k)
	}
	switch g.rng.Intn(25) {
	case 0:
		out[0].TransmissionRisk = 9
	case 1:
		out = append(out, out[0]) // duplicate
	case 2:
		out[0].RollingStart = tek.IntervalOf(g.now) + 5 // future
	}
	return out
}

// next returns the next entry and whether it is meant to be fatal.
func (g *gen) next() ([]byte, bool) {
	switch x := g.rng.Intn(100); {
	case x < 60:
		g.now = g.now.Add(time.Duration(g.rng.Intn(120)) * time.Second)
	case x < 80:
		g.now = g.now.Add(time.Duration(g.rng.Intn(60)) * time.Minute)
	case x < 82:
		g.now = g.now.Add(time.Duration(g.rng.Intn(3*24)) * time.Hour)
	case x < 84:
		g.now = g.now.Add(-time.Duration(g.rng.Intn(60)) * time.Minute) // skewed leader clock
	}
	if g.fatal && g.rng.Intn(60) == 0 {
		return g.fatalEntry(), true
	}
	g.n++
	var ct fsmpb.CommandType
	var msg proto.Message
	switch x := g.rng.Intn(100); {
	case x < 4 || len(g.providers) == 0:
		id := fmt.Sprintf("p%d", g.rng.Intn(6))
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_CREATE_PROVIDER, &fsmpb.CreateProvider{
			Id: id, Name: "n" + id, TokenHash: hashOf(fmt.Sprint("tok", g.rng.Intn(8))).slice(), QuotaPerDay: uint32(g.rng.Intn(3) * 20)}
		g.providers = append(g.providers, id)
	case x < 7:
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_SET_PROVIDER_SUSPENDED, &fsmpb.SetProviderSuspended{Id: g.pick(g.providers), Suspended: g.rng.Intn(3) == 0}
	case x < 25:
		c := &fsmpb.IssueAuthorizations{ProviderId: g.pick(g.providers), ReportType: uint32(1 + g.rng.Intn(4)),
			ExpiresUnixMs: g.now.Add(time.Duration(g.rng.Intn(72)-2) * time.Hour).UnixMilli()}
		if g.rng.Intn(2) == 0 {
			c.HasOnset, c.OnsetDay = true, int32(dayStart(g.now)/tek.IntervalsPerDay)-int32(g.rng.Intn(40)-10)
		}
		if g.rng.Intn(15) == 0 {
			c.ReportType = uint32(g.rng.Intn(2) * 5) // refused
		}
		for i := 0; i < 1+g.rng.Intn(4); i++ {
			code := fmt.Sprintf("g%d-%d", g.n, i)
			if len(g.codes) > 0 && g.rng.Intn(30) == 0 {
				code = g.codes[g.rng.Intn(len(g.codes))]
			}
			c.Authorizations = append(c.Authorizations, &fsmpb.Authorization{Id: "a" + code, CodeHash: hashOf(code).slice()})
			g.codes = append(g.codes, code)
			g.fresh = append(g.fresh, code)
		}
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_ISSUE_AUTHORIZATIONS, c
	case x < 60:
		p := &fsmpb.Publish{}
		for i := 0; i < 1+g.rng.Intn(3); i++ {
			code := g.pick(g.codes)
			if len(g.fresh) > 0 && g.rng.Intn(5) > 0 {
				code, g.fresh = g.fresh[len(g.fresh)-1], g.fresh[:len(g.fresh)-1]
			}
			keys := g.newKeys()
			sub := fmt.Sprintf("s%d-%d", g.n, i)
			p.Items = append(p.Items, &fsmpb.PublishItem{CodeHash: hashOf(code).slice(), SubmissionId: sub,
				RevisionTokenHash: hashOf("rev" + sub).slice(), Keys: KeysToPB(keys)})
			g.subs = append(g.subs, sub)
			g.keys = append(g.keys, keys...)
		}
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_PUBLISH, p
	case x < 68:
		actor := ""
		if g.rng.Intn(2) == 0 {
			actor = g.pick(g.providers)
		}
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_ROLLBACK_SUBMISSION, &fsmpb.RollbackSubmission{SubmissionId: g.pick(g.subs), ActorProviderId: actor, Reason: "r"}
	case x < 74:
		var refs []*fsmpb.KeyRef
		for i := 0; i < 1+g.rng.Intn(3) && len(g.keys) > 0; i++ {
			refs = append(refs, refsOf(g.keys[g.rng.Intn(len(g.keys))])...)
		}
		actor := ""
		if g.rng.Intn(2) == 0 {
			actor = g.pick(g.providers)
		}
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_REVOKE_KEYS, &fsmpb.RevokeKeys{Keys: refs, ActorProviderId: actor}
	case x < 78:
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_REVOKE_BY_TOKEN, &fsmpb.RevokeByToken{RevisionTokenHash: hashOf("rev" + g.pick(g.subs)).slice()}
	case x < 81:
		c := &fsmpb.RollbackProvider{ProviderId: g.pick(g.providers), SinceUnixMs: g.now.Add(-time.Duration(g.rng.Intn(96)) * time.Hour).UnixMilli()}
		if g.rng.Intn(2) == 0 {
			c.UntilUnixMs = c.SinceUnixMs + int64(g.rng.Intn(48))*3600_000
		}
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_ROLLBACK_PROVIDER, c
	case x < 90:
		var pad []tek.Key
		for i := 0; i < g.rng.Intn(3); i++ {
			k := tek.Key{RollingStart: dayStart(g.now), RollingPeriod: 144}
			g.rng.Read(k.Data[:])
			pad = append(pad, k)
		}
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_SEAL_CHECKPOINT, &fsmpb.SealCheckpoint{Padding: KeysToPB(pad)}
	default:
		ct, msg = fsmpb.CommandType_COMMAND_TYPE_TICK, &fsmpb.Tick{}
	}
	b, err := Encode(ct, msg, g.now)
	if err != nil {
		panic(err)
	}
	return b, false
}

// fatalEntry returns an entry no state machine may apply.
func (g *gen) fatalEntry() []byte {
	env := func(e *fsmpb.Envelope) []byte {
		b, err := proto.Marshal(e)
		if err != nil {
			panic(err)
		}
		return b
	}
	switch g.rng.Intn(5) {
	case 0:
		return []byte{0xff, 0xff, 0xff}
	case 1:
		return env(&fsmpb.Envelope{Version: 1, Type: 99})
	case 2:
		return env(&fsmpb.Envelope{Version: 2, Type: fsmpb.CommandType_COMMAND_TYPE_TICK})
	case 3:
		return env(&fsmpb.Envelope{Version: 1, Type: fsmpb.CommandType_COMMAND_TYPE_PUBLISH, Payload: []byte{0x0a, 0x05, 1}})
	default:
		return env(&fsmpb.Envelope{Version: 1})
	}
}
