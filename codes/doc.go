// Package codes implements the single-use authorization codes that a
// health-care provider hands to a patient and the patient types into an
// exposure notification app (api.md §4 publish, §5 authorizations).
//
// # Format
//
// A code is 16 characters of Crockford's base32 alphabet
//
//	0123456789ABCDEFGHJKMNPQRSTVWXYZ
//
// shown in four groups of four, for example K7Q2-9XMD-3HPA-W4ZR. The first
// 15 characters carry 75 random bits from crypto/rand; the 16th is a check
// character. The alphabet has no I, L, O or U, so a printed code cannot be
// misread as a different code: Parse maps the look-alikes O to 0 and I and L
// to 1, ignores case, spaces and dashes, and rejects everything else with
// ErrMalformed.
//
// # Check character
//
// The check character is computed with the Luhn mod N algorithm for N = 32
// over the alphabet values (0 for '0' ... 31 for 'Z'): walking from the
// rightmost payload character leftwards, every other value is doubled and
// its two base-32 digits added; the check value makes the total a multiple
// of 32. Because doubling followed by the digit sum is a permutation of
// 0..31 when N is even, the check catches:
//
//   - every single-character substitution (100%), and
//   - every transposition of two adjacent different characters except the
//     pair 0 and Z (values 0 and 31), the base-32 analogue of the 09/90
//     blind spot of the decimal Luhn check. Of all adjacent transpositions
//     of different characters 2 in 32*31 pairs are missed, so about 99.8%
//     are caught; the tests measure this ratio and assert it is at least
//     99.5%.
//
// A wrong check character is reported as ErrCheck, distinct from
// ErrMalformed, so the API can tell the patient that the code was probably
// mistyped. The check is a typing aid, not a security measure: codes are
// only ever accepted if the server knows their keyed hash (package secrets).
//
// Codes are secrets: never log them. Code deliberately has no text or JSON
// marshalling; callers render it with String where they must show it.
package codes
