package codes

import (
	"strings"
	"testing"
)

// mustParse parses a code known to be valid.
func mustParse(t testing.TB, s string) Code {
	t.Helper()
	c, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return c
}

// TestCheckGolden pins the check character of fixed payloads, so that a
// change to the algorithm (which would invalidate every issued code) fails.
// The ZZZ... case is worked by hand in the comment.
func TestCheckGolden(t *testing.T) {
	tests := []struct {
		payload string
		want    string
	}{
		{"000000000000000", "0000-0000-0000-0000"},
		{"K7Q29XMD3HPAW4Z", "K7Q2-9XMD-3HPA-W4ZJ"},
		// Fifteen Z (31): eight doubled (62 -> 1+30 = 31) and seven plain
		// give 15*31 = 465 = 17 mod 32, so the check value is 15 = F.
		{"ZZZZZZZZZZZZZZZ", "ZZZZ-ZZZZ-ZZZZ-ZZZF"},
		{"123456789ABCDEF", "1234-5678-9ABC-DEF8"},
	}
	for _, tt := range tests {
		var v [payloadLen]byte
		for i := range v {
			v[i] = decodeTable[tt.payload[i]]
		}
		if got := fromPayload(v).String(); got != tt.want {
			t.Errorf("fromPayload(%s) = %s, want %s", tt.payload, got, tt.want)
		}
	}
}

// randomCodes returns n generated codes.
func randomCodes(t testing.TB, n int) []Code {
	t.Helper()
	out := make([]Code, n)
	for i := range out {
		c, err := Generate()
		if err != nil {
			t.Fatalf("Generate: %v", err)
		}
		out[i] = c
	}
	return out
}

// TestEverySubstitutionCaught replaces each character of valid codes by
// every other alphabet character and expects ErrCheck every time.
func TestEverySubstitutionCaught(t *testing.T) {
	codes := append(randomCodes(t, 200), mustParse(t, "ZZZZ-ZZZZ-ZZZZ-ZZZF"), mustParse(t, "0000000000000000"))
	tried := 0
	for _, c := range codes {
		canon := []byte(c.Canonical())
		for pos := range canon {
			orig := canon[pos]
			for i := 0; i < radix; i++ {
				if Alphabet[i] == orig {
					continue
				}
				canon[pos] = Alphabet[i]
				if _, err := Parse(string(canon)); !errorIs(err, ErrCheck) {
					t.Fatalf("substitution at %d (%c -> %c) of %s: err = %v, want ErrCheck", pos, orig, Alphabet[i], c, err)
				}
				tried++
			}
			canon[pos] = orig
		}
	}
	if want := len(codes) * Length * (radix - 1); tried != want {
		t.Fatalf("tried %d substitutions, want %d", tried, want)
	}
}

// TestAdjacentTranspositions swaps every pair of adjacent different
// characters. Exactly the swaps of 0 and Z must slip through (documented in
// doc.go); over codes of uniformly random characters the caught ratio must
// be at least the documented 99.5%.
func TestAdjacentTranspositions(t *testing.T) {
	codes := randomCodes(t, 3000)
	// Codes rich in 0 and Z make sure the blind spot is exercised.
	codes = append(codes, withCheck(t, "0Z0Z0Z0Z0Z0Z0Z0"))
	total, caught := 0, 0
	for _, c := range codes {
		canon := []byte(c.Canonical())
		for pos := 0; pos+1 < Length; pos++ {
			a, b := canon[pos], canon[pos+1]
			if a == b {
				continue
			}
			canon[pos], canon[pos+1] = b, a
			_, err := Parse(string(canon))
			canon[pos], canon[pos+1] = a, b
			blind := (a == '0' && b == 'Z') || (a == 'Z' && b == '0')
			switch {
			case blind && err != nil:
				t.Fatalf("swap of 0 and Z at %d in %s was caught (%v): doc.go says it is the blind spot", pos, c, err)
			case !blind && !errorIs(err, ErrCheck):
				t.Fatalf("swap %c%c at %d in %s: err = %v, want ErrCheck", a, b, pos, c, err)
			}
			if c != codes[len(codes)-1] { // the ratio is over random codes only
				total++
				if err != nil {
					caught++
				}
			}
		}
	}
	ratio := float64(caught) / float64(total)
	t.Logf("adjacent transpositions caught: %d of %d (%.3f%%)", caught, total, 100*ratio)
	if ratio < 0.995 {
		t.Fatalf("caught ratio %.4f below the documented 0.995", ratio)
	}
}

// withCheck returns the code made of the 15 payload characters and their
// check character.
func withCheck(t testing.TB, payload string) Code {
	t.Helper()
	if len(payload) != payloadLen {
		t.Fatalf("payload %q has %d characters, want %d", payload, len(payload), payloadLen)
	}
	return mustParse(t, payload+string(Alphabet[checkValue(valuesOf(payload))]))
}

// valuesOf returns the alphabet values of s, which must be alphabet text.
func valuesOf(s string) []byte {
	v := make([]byte, len(s))
	for i := range s {
		v[i] = decodeTable[s[i]]
	}
	return v
}

func TestDecodeTableAliases(t *testing.T) {
	for v := 0; v < radix; v++ {
		for _, ch := range []byte{Alphabet[v], strings.ToLower(Alphabet[v : v+1])[0]} {
			if got := decodeTable[ch]; got != byte(v) {
				t.Errorf("decodeTable[%q] = %d, want %d", ch, got, v)
			}
		}
	}
	for _, tt := range []struct {
		ch   byte
		want byte
	}{{'O', 0}, {'o', 0}, {'I', 1}, {'i', 1}, {'L', 1}, {'l', 1}, {'U', invalid}, {'u', invalid}, {'-', invalid}, {0x80, invalid}, {0xff, invalid}} {
		if got := decodeTable[tt.ch]; got != tt.want {
			t.Errorf("decodeTable[%q] = %d, want %d", tt.ch, got, tt.want)
		}
	}
}
