package transport

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/tekstore/tekstore/fsm"
	"github.com/tekstore/tekstore/secrets"
	"github.com/tekstore/tekstore/tek"
)

// fuzzNow is a fixed clock so that fuzz runs are reproducible.
var fuzzNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// FuzzPublishDecode feeds arbitrary bodies to decodePublish: it must never
// panic, and every refusal must map to a 4xx answer (a 5xx is a bug, spec
// §2). An accepted body must hold 1..30 keys.
func FuzzPublishDecode(f *testing.F) {
	start := tek.IntervalOf(fuzzNow)/144*144 - 144
	key := base64.StdEncoding.EncodeToString(make([]byte, 16))
	seeds := []string{
		fmt.Sprintf(`{"code":"K7Q2-9XMD-3HPA-W4ZR","keys":[{"key":%q,"rollingStartNumber":%d}]}`, key, start),
		fmt.Sprintf(`{"code":"k7q29xmd3hpaw4zr","keys":[{"key":%q,"rollingStartNumber":%d,"rollingPeriod":144,"transmissionRisk":8,"reportType":"clinical","daysSinceOnsetOfSymptoms":-14}],"padding":"AAAA"}`, key, start),
		`{"code":"","keys":[]}`,
		`{"code":"K7Q2-9XMD-3HPA-W4ZR"}`,
		`{"code":"K7Q2-9XMD-3HPA-W4ZR","keys":[{"key":"not base64!","rollingStartNumber":1}]}`,
		`{"code":"K7Q2-9XMD-3HPA-W4ZR","keys":[{"key":"AAAA","rollingStartNumber":-1}]}`,
		`{"code":"K7Q2-9XMD-3HPA-W4ZR","keys":[{"key":"AAAAAAAAAAAAAAAAAAAAAA","rollingStartNumber":1.5}]}`,
		`{"code":"K7Q2-9XMD-3HPA-W4ZR","keys":[{"key":"AAAAAAAAAAAAAAAAAAAAAA","rollingStartNumber":99999999999}]}`,
		`{"code":"K7Q2-9XMD-3HPA-W4ZR","keys":null,"extra":1}`,
		`{"code":12,"keys":{}}`,
		`{"code":"K7Q2"} {"code":"x"}`,
		`[]`,
		`null`,
		"",
		"\x00\xff\xfe",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	s := &Server{cfg: Config{Retention: fsm.DefaultRetention, Pepper: secrets.DerivePepper("fuzz-admin")}}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := s.decodePublish(body, fuzzNow)
		if err != nil {
			if ae := toAPIError(err); ae.status < 400 || ae.status >= 500 {
				t.Fatalf("decodePublish(%q) error %v maps to %d %s, want a 4xx", body, err, ae.status, ae.code)
			}
			return
		}
		if n := len(p.keys); n < 1 || n > 30 {
			t.Fatalf("decodePublish(%q) accepted %d keys", body, n)
		}
		if p.setHash != fsm.KeySetHash(p.keys) {
			t.Fatalf("decodePublish(%q): set hash does not match its keys", body)
		}
	})
}
