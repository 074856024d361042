package cards

import (
	"fmt"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
)

// qrLevel is the QR error correction level: go-qrcode's High is level Q
// (25% recovery). It survives a creased or smudged card and still keeps the
// 16 alphanumeric characters of a canonical code in a version 1 symbol (21
// modules), so the modules stay large.
const qrLevel = qrcode.High

// qrModules encodes text as a QR code and returns its modules, true for
// dark, including the 4-module quiet zone on every side.
func qrModules(text string) ([][]bool, error) {
	q, err := qrcode.New(text, qrLevel)
	if err != nil {
		return nil, fmt.Errorf("cards: encoding QR code: %w", err)
	}
	return q.Bitmap(), nil
}

// drawQR draws modules as a size x size mm square with its top left corner at
// (x, y). Each horizontal run of dark modules becomes one rectangle of a
// single path filled once, so viewers show no seams between modules.
func drawQR(pdf *fpdf.Fpdf, modules [][]bool, x, y, size float64) {
	if len(modules) == 0 {
		return
	}
	m := size / float64(len(modules))
	dark := false
	for r, row := range modules {
		top, bottom := y+float64(r)*m, y+float64(r+1)*m
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			left, right := x+float64(start)*m, x+float64(c)*m
			pdf.MoveTo(left, top)
			pdf.LineTo(right, top)
			pdf.LineTo(right, bottom)
			pdf.LineTo(left, bottom)
			pdf.ClosePath()
			dark = true
		}
	}
	if dark {
		pdf.SetFillColor(0, 0, 0)
		pdf.DrawPath("f")
	}
}
