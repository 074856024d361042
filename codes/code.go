package codes

import (
	"crypto/rand"
	"fmt"
)

// Length is the number of characters of a code, check character included.
const Length = 16

// payloadLen is the number of random characters before the check character.
const payloadLen = Length - 1

// groupLen is the number of characters per dash-separated group in String.
const groupLen = 4

// bitsPerChar is the information carried by one base32 character.
const bitsPerChar = 5

// randomBytes is the number of random bytes read to fill the payload: 80
// bits, of which the first 75 are used.
const randomBytes = (payloadLen*bitsPerChar + 7) / 8

// Code is a valid authorization code. The zero value is not a valid code
// (see IsZero); valid codes come only from Generate and Parse. Codes are
// comparable and can be used as map keys.
type Code struct {
	// c holds the canonical upper-case characters, check character last.
	c [Length]byte
}

// Generate returns a new random code: 75 bits from crypto/rand plus the
// check character.
func Generate() (Code, error) {
	var buf [randomBytes]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return Code{}, fmt.Errorf("codes: reading random bytes: %w", err)
	}
	var values [payloadLen]byte
	for i := range values {
		values[i] = bitsAt(buf[:], i*bitsPerChar)
	}
	return fromPayload(values), nil
}

// bitsAt returns the 5-bit big-endian value starting at bit offset off of b.
func bitsAt(b []byte, off int) byte {
	var v byte
	for i := 0; i < bitsPerChar; i++ {
		bit := off + i
		v = v<<1 | (b[bit/8]>>(7-bit%8))&1
	}
	return v
}

// fromPayload builds the code for 15 alphabet values by appending their
// check character.
func fromPayload(values [payloadLen]byte) Code {
	var c Code
	for i, v := range values {
		c.c[i] = Alphabet[v]
	}
	c.c[payloadLen] = Alphabet[checkValue(values[:])]
	return c
}

// IsZero reports whether c is the zero Code, which is not a valid code.
func (c Code) IsZero() bool {
	return c == Code{}
}

// Canonical returns the 16 upper-case characters without dashes: the form
// that is hashed and stored (package secrets). It returns "" for the zero
// Code.
func (c Code) Canonical() string {
	if c.IsZero() {
		return ""
	}
	return string(c.c[:])
}

// String returns the code as shown to people, four groups of four
// characters joined by dashes, for example K7Q2-9XMD-3HPA-W4ZR. It returns
// "" for the zero Code.
func (c Code) String() string {
	if c.IsZero() {
		return ""
	}
	out := make([]byte, 0, Length+Length/groupLen-1)
	for i, ch := range c.c {
		if i > 0 && i%groupLen == 0 {
			out = append(out, '-')
		}
		out = append(out, ch)
	}
	return string(out)
}
