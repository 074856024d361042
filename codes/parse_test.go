package codes

import (
	"strings"
	"testing"
)

// validCode is a valid code used by the parse cases (its check character is J).
const validCode = "K7Q2-9XMD-3HPA-W4ZJ"

// parseCases are the unit cases of Parse and also the seed corpus of
// FuzzParse. want is the canonical code, or "" when err is expected.
var parseCases = []struct {
	name string
	in   string
	want string
	err  error
}{
	{"grouped", validCode, "K7Q29XMD3HPAW4ZJ", nil},
	{"canonical", "K7Q29XMD3HPAW4ZJ", "K7Q29XMD3HPAW4ZJ", nil},
	{"lower case", "k7q2-9xmd-3hpa-w4zj", "K7Q29XMD3HPAW4ZJ", nil},
	{"mixed case and spaces", "k7Q2 9xMD 3hPa w4Zj", "K7Q29XMD3HPAW4ZJ", nil},
	{"dashes anywhere", "-K-7Q29XMD--3HPAW4ZJ-", "K7Q29XMD3HPAW4ZJ", nil},
	{"surrounding whitespace", "\t K7Q2-9XMD-3HPA-W4ZJ \r\n", "K7Q29XMD3HPAW4ZJ", nil},
	{"alias O", "OOOO-OOOO-OOOO-OOOO", "0000000000000000", nil},
	{"alias o", "oooo oooo oooo oooo", "0000000000000000", nil},
	{"aliases I and L", "1234-5678-9ABC-DEF8", "123456789ABCDEF8", nil},
	{"alias I for 1", "I234-5678-9ABC-DEF8", "123456789ABCDEF8", nil},
	{"alias l for 1", "l234-5678-9ABC-DEF8", "123456789ABCDEF8", nil},
	{"all Z", "ZZZZ-ZZZZ-ZZZZ-ZZZF", "ZZZZZZZZZZZZZZZF", nil},
	{"wrong check", "K7Q2-9XMD-3HPA-W4ZR", "", ErrCheck},
	{"substitution", "K7Q2-9XMD-3HPB-W4ZJ", "", ErrCheck},
	{"transposition", "K7Q2-9XMD-3HPA-4WZJ", "", ErrCheck},
	{"empty", "", "", ErrMalformed},
	{"only separators", " - - ", "", ErrMalformed},
	{"too short", "K7Q2-9XMD-3HPA-W4Z", "", ErrMalformed},
	{"too long", "K7Q2-9XMD-3HPA-W4ZJ0", "", ErrMalformed},
	{"U is not in the alphabet", "K7Q2-9XMD-3HPA-W4ZU", "", ErrMalformed},
	{"punctuation", "K7Q2.9XMD.3HPA.W4ZJ", "", ErrMalformed},
	{"underscore", "K7Q2_9XMD_3HPA_W4ZJ", "", ErrMalformed},
	{"en dash", "K7Q2\u20139XMD\u20133HPA\u2013W4ZJ", "", ErrMalformed},
	{"fullwidth digit", "\uff2b7Q2-9XMD-3HPA-W4ZJ", "", ErrMalformed},
	{"invalid UTF-8", "K7Q2-9XMD-3HPA-W4Z\xff", "", ErrMalformed},
	{"NUL byte", "K7Q2-9XMD-3HPA-W4Z\x00J", "", ErrMalformed},
	{"over MaxInputLen", validCode + strings.Repeat(" ", MaxInputLen), "", ErrMalformed},
	{"at MaxInputLen", validCode + strings.Repeat(" ", MaxInputLen-len(validCode)), "K7Q29XMD3HPAW4ZJ", nil},
}

func TestParse(t *testing.T) {
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.err != nil {
				if !errorIs(err, tt.err) {
					t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
				}
				if !got.IsZero() {
					t.Fatalf("Parse(%q) returned %v with an error, want zero Code", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got.Canonical() != tt.want {
				t.Fatalf("Parse(%q) = %s, want %s", tt.in, got.Canonical(), tt.want)
			}
		})
	}
}

// TestParseErrorsDistinct makes sure the two sentinels never overlap, so
// the API can tell a typo from garbage.
func TestParseErrorsDistinct(t *testing.T) {
	_, err := Parse("K7Q2-9XMD-3HPA-W4ZR")
	if !errorIs(err, ErrCheck) || errorIs(err, ErrMalformed) {
		t.Fatalf("wrong check: err = %v, want only ErrCheck", err)
	}
	_, err = Parse("K7Q2-9XMD-3HPA-W4ZU")
	if !errorIs(err, ErrMalformed) || errorIs(err, ErrCheck) {
		t.Fatalf("malformed: err = %v, want only ErrMalformed", err)
	}
}

// TestParseErrorsHideInput checks that error messages do not echo the code,
// since callers may log them.
func TestParseErrorsHideInput(t *testing.T) {
	for _, tt := range parseCases {
		if tt.err == nil {
			continue
		}
		_, err := Parse(tt.in)
		compact := strings.NewReplacer("-", "", " ", "").Replace(tt.in)
		if len(compact) >= 4 && strings.Contains(err.Error(), compact[:4]) {
			t.Errorf("%s: error %q contains the input", tt.name, err)
		}
	}
}
