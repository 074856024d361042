package transport

import (
	"encoding/json"
	"math"
	"testing"
)

func TestPublishResponseEncodingMatchesEncodingJSON(t *testing.T) {
	for _, p := range []publishResponse{
		{Submission: "s_0123456789abcdef", Inserted: 14, Seq: 1234, RevisionToken: "Zm9v-YmFy_YmF6AAAA"},
		{},
		{Submission: "s_x", Inserted: -1, Seq: math.MaxUint64, RevisionToken: "a+b/c="},
		{Submission: `s_"quoted"\`, RevisionToken: "<&>"},
		{Submission: "s_\u00e9\u2028", RevisionToken: "\x00\x7f\xff"},
	} {
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendPublishResponse(nil, p); string(got) != string(want) {
			t.Errorf("appendPublishResponse(%+v) = %s, want %s", p, got, want)
		}
	}
}

func FuzzPublishResponseEncoding(f *testing.F) {
	f.Add("s_0123456789abcdef", 14, uint64(99), "Zm9vYmFy")
	f.Add("<", -3, uint64(0), "\u2029")
	f.Fuzz(func(t *testing.T, sub string, ins int, seq uint64, tok string) {
		p := publishResponse{Submission: sub, Inserted: ins, Seq: seq, RevisionToken: tok}
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendPublishResponse(nil, p); string(got) != string(want) {
			t.Fatalf("appendPublishResponse(%+v) = %s, want %s", p, got, want)
		}
	})
}
