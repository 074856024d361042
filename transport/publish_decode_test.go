package transport

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// samePublishRequest compares two decoded uploads; padding is compared for
// presence only (its value is ignored and the fast decoder does not keep it).
func samePublishRequest(a, b publishRequest) bool {
	if (a.Padding == nil) != (b.Padding == nil) {
		return false
	}
	a.Padding, b.Padding = nil, nil
	return reflect.DeepEqual(a, b)
}

// fastDecodeSeeds are bodies of every shape: the fast decoder must take the
// plain ones and leave every doubtful one to encoding/json.
func fastDecodeSeeds() []string {
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	var keys []string
	for i := range 14 {
		keys = append(keys, fmt.Sprintf(`{"key":%q,"rollingStartNumber":%d,"rollingPeriod":144,"transmissionRisk":%d,"reportType":"confirmed","daysSinceOnsetOfSymptoms":%d}`,
			key, 2934720-144*i, i%9, i-7))
	}
	return []string{
		`{"code":"K7Q2-9XMD-3HPA-W4ZR","keys":[` + strings.Join(keys, ",") + `],"padding":"AAAA"}`,
		" {\n\t\"code\" : \"k7q2 9xmd\" ,\r\n \"keys\" : [ { } , {\"key\":\"\"} ] } \n",
		`{"keys":[],"code":""}`,
		`{}`,
		`{"code":"a","keys":[{"rollingStartNumber":-0}]}`,
		`{"code":"a","keys":[{"rollingStartNumber":007}]}`,
		`{"code":"a","keys":[{"rollingStartNumber":1.0}]}`,
		`{"code":"a","keys":[{"rollingStartNumber":1e3}]}`,
		`{"code":"a","keys":[{"rollingStartNumber":99999999999999999999}]}`,
		`{"code":"a","keys":[{"rollingStartNumber":"1"}]}`,
		`{"code":"a","keys":[{"RollingStartNumber":1}]}`,
		`{"Code":"a","keys":[]}`,
		`{"code":"a","code":"b","keys":[]}`,
		`{"code":"a","keys":[],"keys":[{}]}`,
		`{"code":"a","keys":[{"key":"x","key":"y"}]}`,
		`{"code":"a\u0041","keys":[]}`,
		`{"code":"a\"b","keys":[]}`,
		"{\"code\":\"\xc3\xa9\",\"keys\":[]}",
		"{\"code\":\"\xff\",\"keys\":[]}",
		`{"code":null,"keys":[]}`,
		`{"code":"a","keys":null}`,
		`{"code":"a","keys":[null]}`,
		`{"code":"a","keys":[],"padding":null}`,
		`{"code":"a","keys":[],"padding":1}`,
		`{"code":"a","keys":[],"extra":1}`,
		`{"code":"a","keys":[]} x`,
		`{"code":"a","keys":[]}]`,
		`{"code":"a","keys":[],}`,
		`{"code":"a","keys":[{},]}`,
		`{"code":"a" "keys":[]}`,
		`{"code":"a","keys":{}}`,
		`[]`,
		`null`,
		``,
		"\ufeff{}",
	}
}

func TestFastPublishDecodeAgreesWithEncodingJSON(t *testing.T) {
	fast := 0
	for _, body := range fastDecodeSeeds() {
		if checkFastPublishDecode(t, []byte(body)) {
			fast++
		}
	}
	// The plain shapes above must take the fast path, or it is dead code.
	if fast < 5 {
		t.Fatalf("the fast decoder took %d of the seed bodies, want at least 5", fast)
	}
}

// checkFastPublishDecode fails t when the fast decoder accepts a body that
// encoding/json refuses or decodes differently; it reports whether the fast
// decoder accepted the body.
func checkFastPublishDecode(t *testing.T, body []byte) bool {
	t.Helper()
	var fast publishRequest
	if !decodePublishFast(body, &fast) {
		return false
	}
	var slow publishRequest
	if err := decodeStrict(body, &slow); err != nil {
		t.Fatalf("fast decoder accepted %q, encoding/json refuses it: %v", body, err)
	}
	if !samePublishRequest(fast, slow) {
		t.Fatalf("decoding %q: fast %+v, encoding/json %+v", body, fast, slow)
	}
	return true
}

// FuzzFastPublishDecode checks the fast decoder against encoding/json.
func FuzzFastPublishDecode(f *testing.F) {
	for _, s := range fastDecodeSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFastPublishDecode(t, body)
	})
}
