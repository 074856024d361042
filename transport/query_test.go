package transport

import (
	"net/url"
	"strings"
	"testing"
)

// TestParseKeysQueryMatchesURLQuery checks the map-free parser against
// url.Values.Get on the edge cases of url.ParseQuery.
func TestParseKeysQueryMatchesURLQuery(t *testing.T) {
	raws := []string{
		"", "since=5", "since=5&limit=10", "limit=10&since=5&wait=30s&min_index=9",
		"since=1&since=2", "since=&since=2", "since", "since&since=3",
		"since=1;x&since=2", "since=1;limit=2", "a=1&&since=4&", "&&&",
		"sin%63e=7", "since=%37", "since=%zz&since=8", "si%zznce=1&since=9",
		"since=1+2", "wait=1%20s", "min_index=+5", "=5&since=6", "since==5",
		"limit=1&limit=2&LIMIT=3", "since=5#frag", "wait=5s&wait=",
		strings.Repeat("x=1&", 20) + "since=3",
		strings.Repeat("since=4&", 30),
		strings.Repeat("&", 20000) + "since=5",
	}
	for _, raw := range raws {
		v, _ := url.ParseQuery(raw)
		want := keysQuery{since: v.Get("since"), limit: v.Get("limit"), wait: v.Get("wait"), minIndex: v.Get("min_index")}
		if got := parseKeysQuery(raw); got != want {
			t.Errorf("%.60q: got %+v, want %+v", raw, got, want)
		}
	}
}

// FuzzParseKeysQuery: on any raw query the parser agrees with url.ParseQuery.
func FuzzParseKeysQuery(f *testing.F) {
	for _, s := range []string{"since=5&limit=10", "since=%37;", "wait=1+s&min_index=3&since=1&since=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		want := keysQuery{since: v.Get("since"), limit: v.Get("limit"), wait: v.Get("wait"), minIndex: v.Get("min_index")}
		if got := parseKeysQuery(raw); got != want {
			t.Fatalf("%q: got %+v, want %+v", raw, got, want)
		}
	})
}
