package codes

// Alphabet is Crockford's base32 alphabet in value order: the character at
// index v encodes the value v.
const Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// radix is the number of characters in Alphabet, the N of Luhn mod N.
const radix = len(Alphabet)

// invalid marks a byte that is not a code character in decodeTable.
const invalid = 0xff

// decodeTable maps every byte to its alphabet value, or invalid. It accepts
// lower case and Crockford's aliases O -> 0 and I, L -> 1.
var decodeTable = buildDecodeTable()

func buildDecodeTable() [256]byte {
	var t [256]byte
	for i := range t {
		t[i] = invalid
	}
	for v := 0; v < radix; v++ {
		c := Alphabet[v]
		t[c] = byte(v)
		if c >= 'A' && c <= 'Z' {
			t[c+'a'-'A'] = byte(v)
		}
	}
	for _, alias := range []struct {
		from byte
		to   byte
	}{{'O', '0'}, {'I', '1'}, {'L', '1'}} {
		t[alias.from] = t[alias.to]
		t[alias.from+'a'-'A'] = t[alias.to]
	}
	return t
}

// checkValue returns the Luhn mod 32 check value for payload, a sequence of
// alphabet values (each below radix). Appending the returned value makes the
// whole sequence valid.
func checkValue(payload []byte) byte {
	factor := 2
	sum := 0
	for i := len(payload) - 1; i >= 0; i-- {
		addend := factor * int(payload[i])
		addend = addend/radix + addend%radix
		sum += addend
		factor = 3 - factor // alternate 2, 1, 2, 1, ...
	}
	return byte((radix - sum%radix) % radix)
}
