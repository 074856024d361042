package transport

import (
	"net/url"
	"strings"
)

// maxFastQueryParams bounds the queries readQuery scans itself; longer ones
// go through url.ParseQuery (and its limit on the number of parameters).
const maxFastQueryParams = 16

// keysQuery holds the parameters of GET /v1/keys, each the first value of
// its name as url.Values.Get returns it ("" when absent).
type keysQuery struct {
	since, limit, wait, minIndex string
}

// parseKeysQuery reads the parameters of GET /v1/keys from a raw query with
// the rules of url.ParseQuery (pairs holding ';' or a bad escape are
// skipped; the first value of a name wins) but without building a map: the
// query is parsed on every delta read.
func parseKeysQuery(raw string) keysQuery {
	var q keysQuery
	if strings.Count(raw, "&") >= maxFastQueryParams {
		v, _ := url.ParseQuery(raw)
		return keysQuery{since: v.Get("since"), limit: v.Get("limit"), wait: v.Get("wait"), minIndex: v.Get("min_index")}
	}
	var seen [4]bool
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		key, ok := queryUnescape(key)
		if !ok {
			continue
		}
		var dst *string
		var i int
		switch key {
		case "since":
			dst, i = &q.since, 0
		case "limit":
			dst, i = &q.limit, 1
		case "wait":
			dst, i = &q.wait, 2
		case "min_index":
			dst, i = &q.minIndex, 3
		default:
			continue
		}
		if seen[i] {
			continue
		}
		if value, ok = queryUnescape(value); ok {
			*dst, seen[i] = value, true
		}
	}
	return q
}

// queryUnescape is url.QueryUnescape that does not allocate for the usual
// value without escapes; ok is false for a malformed escape.
func queryUnescape(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}
