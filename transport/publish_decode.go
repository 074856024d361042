package transport

// A reflection-free decoder for the fixed shape of an upload. It accepts
// only bodies that encoding/json would decode, with the same result, without
// doubt: exact field names, each at most once, plain ASCII strings without
// escapes, integers without fraction or exponent, no null. Anything else
// (including every malformed body) reports false, and decodeStrict decodes
// the body instead and gives the refusal its usual message. Differential
// fuzzing (FuzzFastPublishDecode) checks the two against each other.

// keyVals holds the values of one key, so that one allocation backs all of
// a keyIn's pointers.
type keyVals struct {
	key, reportType                  string
	start, period, risk, onsetOfDays int64
}

// decodePublishFast decodes body into req and reports whether it could.
func decodePublishFast(body []byte, req *publishRequest) bool {
	d := fastDecoder{b: body}
	if !d.object(func(name []byte) bool {
		switch string(name) {
		case "code":
			if req.Code != nil {
				return false
			}
			s, ok := d.str()
			req.Code = &s
			return ok
		case "keys":
			if req.Keys != nil {
				return false
			}
			req.Keys = make([]keyIn, 0, 16)
			return d.array(func() bool {
				var k keyIn
				if !d.key(&k) {
					return false
				}
				req.Keys = append(req.Keys, k)
				return true
			})
		case "padding":
			// Ignored: checked for shape only, never kept.
			if req.Padding != nil {
				return false
			}
			req.Padding = &emptyPadding
			return d.skipStr()
		}
		return false
	}) {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

// emptyPadding stands for a padding field that was present.
var emptyPadding string

// key decodes one key object.
func (d *fastDecoder) key(k *keyIn) bool {
	v := &keyVals{}
	return d.object(func(name []byte) bool {
		switch string(name) {
		case "key":
			return d.optStr(&k.Key, &v.key)
		case "rollingStartNumber":
			return d.optInt(&k.RollingStartNumber, &v.start)
		case "rollingPeriod":
			return d.optInt(&k.RollingPeriod, &v.period)
		case "transmissionRisk":
			return d.optInt(&k.TransmissionRisk, &v.risk)
		case "reportType":
			return d.optStr(&k.ReportType, &v.reportType)
		case "daysSinceOnsetOfSymptoms":
			return d.optInt(&k.DaysSinceOnsetOfSymptoms, &v.onsetOfDays)
		}
		return false
	})
}

// optInt decodes a number into slot and points *dst at it; a field seen
// twice is refused (encoding/json would keep the last, the slow path
// decides).
func (d *fastDecoder) optInt(dst **int64, slot *int64) bool {
	if *dst != nil {
		return false
	}
	var ok bool
	*slot, ok = d.int()
	*dst = slot
	return ok
}

// optStr is optInt for a string field.
func (d *fastDecoder) optStr(dst **string, slot *string) bool {
	if *dst != nil {
		return false
	}
	var ok bool
	*slot, ok = d.str()
	*dst = slot
	return ok
}

// fastDecoder walks a JSON body; every method reports false on anything it
// does not accept.
type fastDecoder struct {
	b []byte
	i int
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c.
func (d *fastDecoder) next(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// peek skips white space and reports whether c comes next (not consumed).
func (d *fastDecoder) peek(c byte) bool {
	d.ws()
	return d.i < len(d.b) && d.b[d.i] == c
}

// object decodes {"name": value, ...}, calling field after each name and
// its colon; field decodes the value.
func (d *fastDecoder) object(field func(name []byte) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		d.ws()
		name, ok := d.raw()
		if !ok || !d.next(':') || !field(name) {
			return false
		}
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// array decodes [value, ...], calling elem for each value.
func (d *fastDecoder) array(elem func() bool) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.next(']') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// raw returns the bytes of a string of printable ASCII without escapes.
func (d *fastDecoder) raw() ([]byte, bool) {
	if !d.peek('"') {
		return nil, false
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return d.b[start:j], true
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return nil, false
		}
	}
	return nil, false
}

func (d *fastDecoder) str() (string, bool) {
	b, ok := d.raw()
	return string(b), ok
}

func (d *fastDecoder) skipStr() bool {
	_, ok := d.raw()
	return ok
}

// maxFastDigits keeps every accepted integer far inside int64.
const maxFastDigits = 18

// int decodes an integer: an optional minus, then 0 or digits without a
// leading zero; a fraction or exponent is refused (encoding/json refuses
// them for an int64 too, with its own message).
func (d *fastDecoder) int() (int64, bool) {
	d.ws()
	neg := d.i < len(d.b) && d.b[d.i] == '-'
	if neg {
		d.i++
	}
	start := d.i
	var v int64
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		v = v*10 + int64(d.b[d.i]-'0')
		d.i++
	}
	n := d.i - start
	if n == 0 || n > maxFastDigits || (n > 1 && d.b[start] == '0') {
		return 0, false
	}
	if d.i < len(d.b) {
		switch d.b[d.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	return v, true
}
