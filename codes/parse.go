package codes

import "fmt"

// MaxInputLen is the longest input Parse looks at, separators included.
// Longer input is rejected with ErrMalformed before any other work.
const MaxInputLen = 100

// Parse reads a code as typed by a person. It ignores ASCII case, spaces,
// tabs, line breaks and dashes anywhere, and maps O to 0 and I and L to 1.
// Input that is not 16 alphabet characters after that returns an error
// wrapping ErrMalformed; a code whose check character does not match returns
// an error wrapping ErrCheck. The errors never contain the input. Parse
// never panics.
func Parse(s string) (Code, error) {
	if len(s) > MaxInputLen {
		return Code{}, fmt.Errorf("%w: input longer than %d bytes", ErrMalformed, MaxInputLen)
	}
	var values [Length]byte
	n := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if isSeparator(ch) {
			continue
		}
		v := decodeTable[ch]
		if v == invalid {
			return Code{}, fmt.Errorf("%w: byte %d is not a code character", ErrMalformed, i+1)
		}
		if n == Length {
			return Code{}, fmt.Errorf("%w: more than %d characters", ErrMalformed, Length)
		}
		values[n] = v
		n++
	}
	if n != Length {
		return Code{}, fmt.Errorf("%w: %d characters, want %d", ErrMalformed, n, Length)
	}
	if checkValue(values[:payloadLen]) != values[payloadLen] {
		return Code{}, ErrCheck
	}
	var c Code
	for i, v := range values {
		c.c[i] = Alphabet[v]
	}
	return c, nil
}

// isSeparator reports whether ch is ignored by Parse.
func isSeparator(ch byte) bool {
	switch ch {
	case '-', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
