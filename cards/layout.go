package cards

// Page geometry, in millimetres. A4 portrait holds a 2x4 grid of 95 x 69 mm
// cards inside margins that every office printer can print.
const (
	pageWidth  = 210.0
	pageHeight = 297.0
	columns    = 2
	rows       = 4
	perPage    = columns * rows
	marginX    = 10.0
	marginY    = 10.5
	cardWidth  = (pageWidth - 2*marginX) / columns
	cardHeight = (pageHeight - 2*marginY) / rows
)

// Card content geometry, in millimetres relative to the card's top left
// corner.
const (
	padding     = 6.0
	qrSize      = 30.0
	qrGap       = 3.0
	textWidth   = cardWidth - 2*padding - qrSize - qrGap
	codeTop     = padding + qrSize + 3.5
	codeHeight  = 9.0
	instrTop    = codeTop + codeHeight + 2.0
	instrLine   = 3.6
	contentWide = cardWidth - 2*padding
)

// Dash pattern of the cut lines, in millimetres.
const (
	dashOn  = 2.0
	dashOff = 1.5
)

// cellOrigin returns the top left corner of the card at position i of its
// page (0..perPage-1), filling rows left to right, top to bottom.
func cellOrigin(i int) (x, y float64) {
	return marginX + float64(i%columns)*cardWidth, marginY + float64(i/columns)*cardHeight
}

// qrOrigin returns the top left corner of the QR code of the card whose top
// left corner is (x, y).
func qrOrigin(x, y float64) (float64, float64) {
	return x + cardWidth - padding - qrSize, y + padding
}
