package cards

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// pointsPerMM converts PDF user space units (points) to millimetres.
const pointsPerMM = 72 / 25.4

// rectMM is an axis-aligned rectangle in page millimetres, y downwards.
type rectMM struct{ x0, y0, x1, y1 float64 }

// filledRects returns the rectangles of every filled path of a page's
// content stream: the QR modules. Stroked paths (the cut lines) and text
// are skipped.
func filledRects(t *testing.T, page pdf.Page) []rectMM {
	t.Helper()
	var (
		out     []rectMM
		closed  []rectMM
		current []pdf.Point
	)
	closeSub := func() {
		if len(current) == 0 {
			return
		}
		r := rectMM{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for _, p := range current {
			x, y := p.X/pointsPerMM, pageHeight-p.Y/pointsPerMM
			r.x0, r.x1 = math.Min(r.x0, x), math.Max(r.x1, x)
			r.y0, r.y1 = math.Min(r.y0, y), math.Max(r.y1, y)
		}
		closed = append(closed, r)
		current = nil
	}
	pdf.Interpret(page.V.Key("Contents"), func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "m":
			closeSub()
			current = []pdf.Point{{X: args[0].Float64(), Y: args[1].Float64()}}
		case "l":
			current = append(current, pdf.Point{X: args[0].Float64(), Y: args[1].Float64()})
		case "h":
			closeSub()
		case "f", "F", "f*":
			closeSub()
			out = append(out, closed...)
			closed = nil
		case "S", "s", "n", "B", "B*", "b", "b*":
			closed, current = nil, nil
		}
	})
	return out
}

// decodePageQRs finds the QR code of every card of every page, rasterizes
// it from the PDF's own rectangles and decodes it. It returns the decoded
// texts in card order.
func decodePageQRs(t *testing.T, r *pdf.Reader) []string {
	t.Helper()
	var out []string
	for n := 1; n <= r.NumPage(); n++ {
		bySlot := make(map[int][]rectMM)
		for _, rect := range filledRects(t, r.Page(n)) {
			cx, cy := (rect.x0+rect.x1)/2, (rect.y0+rect.y1)/2
			col, row := int((cx-marginX)/cardWidth), int((cy-marginY)/cardHeight)
			if col < 0 || col >= columns || row < 0 || row >= rows {
				t.Fatalf("page %d: filled shape outside the card grid at (%.1f, %.1f) mm", n, cx, cy)
			}
			slot := row*columns + col
			qx, qy := qrOrigin(cellOrigin(slot))
			if rect.x0 < qx-0.01 || rect.y0 < qy-0.01 || rect.x1 > qx+qrSize+0.01 || rect.y1 > qy+qrSize+0.01 {
				t.Fatalf("page %d card %d: filled shape outside the QR square", n, slot+1)
			}
			bySlot[slot] = append(bySlot[slot], rect)
		}
		for slot := 0; slot < perPage; slot++ {
			rects, ok := bySlot[slot]
			if !ok {
				// Cards fill slots in order: no gaps before the last card.
				for later := slot + 1; later < perPage; later++ {
					if _, ok := bySlot[later]; ok {
						t.Fatalf("page %d: slot %d empty but slot %d used", n, slot+1, later+1)
					}
				}
				break
			}
			qx, qy := qrOrigin(cellOrigin(slot))
			out = append(out, decodeRects(t, rects, qx, qy))
		}
	}
	return out
}

// rasterPerMM is the rasterization resolution of decodeRects, ~300 dpi.
const rasterPerMM = 12

// decodeRects paints rects (dark modules of a QR square at (qx, qy)) black on
// white, with a white margin, and decodes the QR code.
func decodeRects(t *testing.T, rects []rectMM, qx, qy float64) string {
	t.Helper()
	const margin = 5.0 // mm of extra quiet zone
	side := int((qrSize + 2*margin) * rasterPerMM)
	img := image.NewGray(image.Rect(0, 0, side, side))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	px := func(v, origin float64) int { return int(math.Round((v - origin + margin) * rasterPerMM)) }
	for _, r := range rects {
		box := image.Rect(px(r.x0, qx), px(r.y0, qy), px(r.x1, qx), px(r.y1, qy))
		draw.Draw(img, box, image.NewUniform(color.Black), image.Point{}, draw.Src)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("binarizing QR raster: %v", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decoding QR code rasterized from the PDF: %v", err)
	}
	return res.GetText()
}

// TestQRHelperRoundTrip draws the helper's modules for a code into a fresh
// PDF-free raster and decodes them, independent of Render.
func TestQRHelperRoundTrip(t *testing.T) {
	for _, text := range []string{"K7Q29XMD3HPAW4ZJ", "0000000000000000", "ZZZZ-ZZZZ-ZZZZ-ZZZF"} {
		modules, err := qrModules(text)
		if err != nil {
			t.Fatalf("qrModules(%q): %v", text, err)
		}
		m := qrSize / float64(len(modules))
		var rects []rectMM
		for r, row := range modules {
			for c, dark := range row {
				if dark {
					rects = append(rects, rectMM{float64(c) * m, float64(r) * m, float64(c+1) * m, float64(r+1) * m})
				}
			}
		}
		if got := decodeRects(t, rects, 0, 0); got != text {
			t.Fatalf("decoded %q, want %q", got, text)
		}
	}
	// A canonical code fits a version 1 symbol: 21 modules plus 2x4 quiet zone.
	modules, err := qrModules("K7Q29XMD3HPAW4ZJ")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(modules), 21+8; got != want {
		t.Fatalf("QR of a canonical code is %d modules wide, want %d (version 1)", got, want)
	}
}
