// Package cards renders printable cut-out cards of authorization codes, the
// answer to POST /v1/authorizations with Accept: application/pdf (api.md
// §5).
//
// Render writes an A4 PDF with eight cards per page in a 2x4 grid, framed by
// dashed cut lines. Each card shows the provider's name, the code in large
// Courier Bold, its expiry time, a QR code of the canonical code, and two
// short instructions for the patient. Courier is a fine choice although its
// 0 and O look alike: the code alphabet (package codes) has no O, I, L or U,
// so there is nothing to confuse the digits with.
//
// The QR code is drawn as vector rectangles (one filled path per code), so
// it stays sharp at any print resolution and the PDF holds no images. The
// output is deterministic: the same cards give the same bytes (fixed
// document dates, sorted catalogs), which keeps the PDF cacheable and
// testable.
//
// Provider names are printed with the PDF core fonts, which cover Windows
// code page 1252 (Western European); other characters print as '.'.
package cards
