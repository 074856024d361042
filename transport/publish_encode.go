package transport

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// appendPublishResponse appends the JSON of an upload's answer, byte for
// byte what encoding/json makes of it, without reflection. Strings that
// encoding/json would escape are left to it.
func appendPublishResponse(b []byte, p publishResponse) []byte {
	if !plainJSON(p.Submission) || !plainJSON(p.RevisionToken) {
		out, err := json.Marshal(p)
		if err != nil { // cannot happen for strings and integers
			return append(b, `{"error":{"code":"internal","message":"internal error"}}`...)
		}
		return append(b, out...)
	}
	b = append(b, `{"submission":"`...)
	b = append(b, p.Submission...)
	b = append(b, `","inserted":`...)
	b = strconv.AppendInt(b, int64(p.Inserted), 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, p.Seq, 10)
	b = append(b, `,"revisionToken":"`...)
	b = append(b, p.RevisionToken...)
	return append(b, `"}`...)
}

// plainJSON reports whether encoding/json writes s between quotes as it is:
// printable ASCII other than the characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// writePublishResponse answers 200 with an upload's answer, as writeJSON
// would.
func writePublishResponse(w http.ResponseWriter, p publishResponse) {
	b := appendPublishResponse(make([]byte, 0, 160), p)
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
