package codes

import (
	"errors"
	"regexp"
	"testing"
)

// errorIs is errors.Is, shortened for table checks.
func errorIs(err, target error) bool { return errors.Is(err, target) }

var groupedForm = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)

func TestGenerateForm(t *testing.T) {
	for _, c := range randomCodes(t, 500) {
		s := c.String()
		if !groupedForm.MatchString(s) {
			t.Fatalf("String() = %q, not four groups of four alphabet characters", s)
		}
		if got, want := c.Canonical(), s[0:4]+s[5:9]+s[10:14]+s[15:19]; got != want {
			t.Fatalf("Canonical() = %q, want %q", got, want)
		}
		if c.IsZero() {
			t.Fatal("generated code is zero")
		}
	}
}

func TestGenerateRoundTrip(t *testing.T) {
	for _, c := range randomCodes(t, 500) {
		for _, form := range []string{c.String(), c.Canonical()} {
			got, err := Parse(form)
			if err != nil {
				t.Fatalf("Parse(generated): %v", err)
			}
			if got != c {
				t.Fatalf("Parse(%q) = %v, want %v", form, got, c)
			}
		}
	}
}

// TestGenerateUsesAllBits checks that every payload position takes many
// values (a stuck bit would halve them) and that codes do not repeat.
func TestGenerateUsesAllBits(t *testing.T) {
	const n = 2000
	seen := make(map[Code]bool, n)
	var perPos [payloadLen][radix]int
	for _, c := range randomCodes(t, n) {
		if seen[c] {
			t.Fatalf("code repeated after %d codes", len(seen))
		}
		seen[c] = true
		for i := 0; i < payloadLen; i++ {
			perPos[i][decodeTable[c.c[i]]]++
		}
	}
	for i, counts := range perPos {
		for v, k := range counts {
			// Expected n/32 = 62.5 per value; 20 is more than 5 sigma away.
			if k < 20 {
				t.Errorf("position %d value %c seen %d times in %d codes", i, Alphabet[v], k, n)
			}
		}
	}
}

func TestBitsAt(t *testing.T) {
	b := []byte{0b10110_011, 0b01_11111_0, 0b0000_0000}
	for _, tt := range []struct {
		off  int
		want byte
	}{{0, 0b10110}, {5, 0b01101}, {10, 0b11111}, {15, 0b00000}} {
		if got := bitsAt(b, tt.off); got != tt.want {
			t.Errorf("bitsAt(%d) = %05b, want %05b", tt.off, got, tt.want)
		}
	}
}

func TestZeroCode(t *testing.T) {
	var c Code
	if !c.IsZero() || c.String() != "" || c.Canonical() != "" {
		t.Fatalf("zero Code: IsZero=%v String=%q Canonical=%q", c.IsZero(), c.String(), c.Canonical())
	}
}
