package codes

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, fails only with one of its two
// sentinels, and that whatever it accepts is a valid code that survives a
// round trip through both printed forms. The seeds are parseCases plus the
// files in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, tt := range parseCases {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Parse(in)
		if err != nil {
			if errors.Is(err, ErrMalformed) == errors.Is(err, ErrCheck) {
				t.Fatalf("Parse(%q) error %v is not exactly one of ErrMalformed, ErrCheck", in, err)
			}
			if !c.IsZero() {
				t.Fatalf("Parse(%q) returned a code with error %v", in, err)
			}
			return
		}
		canon := c.Canonical()
		if len(canon) != Length {
			t.Fatalf("Parse(%q).Canonical() = %q, want %d characters", in, canon, Length)
		}
		for i := 0; i < len(canon); i++ {
			if strings.IndexByte(Alphabet, canon[i]) < 0 {
				t.Fatalf("Parse(%q).Canonical() = %q has %q outside the alphabet", in, canon, canon[i])
			}
		}
		if checkValue(valuesOf(canon[:payloadLen])) != decodeTable[canon[payloadLen]] {
			t.Fatalf("Parse(%q) accepted %q with a wrong check character", in, canon)
		}
		for _, form := range []string{canon, c.String(), strings.ToLower(c.String())} {
			again, err := Parse(form)
			if err != nil || again != c {
				t.Fatalf("Parse(%q) = %v, %v; want %v", form, again, err, c)
			}
		}
	})
}
