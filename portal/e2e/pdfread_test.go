package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"math"
	"sort"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// The PDF is read without knowing the cards' layout: the text of every
// page, and every cluster of filled shapes (the QR codes are drawn as
// vector rectangles) rasterized and decoded on its own.

const (
	pointsPerMM = 72 / 25.4
	// clusterGapMM joins shapes closer than this into one symbol: QR modules
	// are about 1 mm, cards several centimetres apart.
	clusterGapMM = 8.0
	// rasterPerMM is the rasterization resolution, about 300 dpi.
	rasterPerMM = 12.0
	// quietMM is the white margin painted around each symbol.
	quietMM = 5.0
)

// box is an axis-aligned rectangle in PDF points (y upwards).
type box struct{ x0, y0, x1, y1 float64 }

func (b box) union(o box) box {
	return box{math.Min(b.x0, o.x0), math.Min(b.y0, o.y0), math.Max(b.x1, o.x1), math.Max(b.y1, o.y1)}
}

// near reports whether b and o are within gap points of each other.
func (b box) near(o box, gap float64) bool {
	return b.x0-gap <= o.x1 && o.x0-gap <= b.x1 && b.y0-gap <= o.y1 && o.y0-gap <= b.y1
}

// openPDF parses a PDF held in memory.
func openPDF(t *testing.T, raw []byte) *pdf.Reader {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("parsing the PDF: %v", err)
	}
	return r
}

// pdfText returns the plain text of every page.
func pdfText(t *testing.T, r *pdf.Reader) []string {
	t.Helper()
	out := make([]string, 0, r.NumPage())
	for n := 1; n <= r.NumPage(); n++ {
		text, err := r.Page(n).GetPlainText(nil)
		if err != nil {
			t.Fatalf("text of page %d: %v", n, err)
		}
		out = append(out, text)
	}
	return out
}

// filledBoxes returns the bounding box of every filled subpath of a page.
func filledBoxes(page pdf.Page) []box {
	var out, closed []box
	var cur []pdf.Point
	closeSub := func() {
		if len(cur) == 0 {
			return
		}
		b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for _, p := range cur {
			b = b.union(box{p.X, p.Y, p.X, p.Y})
		}
		closed = append(closed, b)
		cur = nil
	}
	pdf.Interpret(page.V.Key("Contents"), func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "m":
			closeSub()
			cur = []pdf.Point{{X: args[0].Float64(), Y: args[1].Float64()}}
		case "l":
			cur = append(cur, pdf.Point{X: args[0].Float64(), Y: args[1].Float64()})
		case "re":
			closeSub()
			x, y, w, h := args[0].Float64(), args[1].Float64(), args[2].Float64(), args[3].Float64()
			cur = []pdf.Point{{X: x, Y: y}, {X: x + w, Y: y + h}}
			closeSub()
		case "h":
			closeSub()
		case "f", "F", "f*":
			closeSub()
			out = append(out, closed...)
			closed = nil
		case "S", "s", "n", "B", "B*", "b", "b*":
			closed, cur = nil, nil
		}
	})
	return out
}

// cluster groups boxes that lie within gap of each other (union-find).
func cluster(boxes []box, gap float64) [][]box {
	parent := make([]int, len(boxes))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			if boxes[i].near(boxes[j], gap) {
				parent[find(i)] = find(j)
			}
		}
	}
	groups := map[int][]box{}
	for i, b := range boxes {
		groups[find(i)] = append(groups[find(i)], b)
	}
	out := make([][]box, 0, len(groups))
	for _, g := range groups {
		out = append(out, g)
	}
	// Top to bottom, then left to right: reading order of the cards.
	sort.Slice(out, func(a, b int) bool {
		ba, bb := bounds(out[a]), bounds(out[b])
		if math.Abs(ba.y1-bb.y1) > 1 {
			return ba.y1 > bb.y1
		}
		return ba.x0 < bb.x0
	})
	return out
}

func bounds(bs []box) box {
	b := bs[0]
	for _, o := range bs[1:] {
		b = b.union(o)
	}
	return b
}

// decodeSymbol paints one cluster black on white and decodes it as a QR code.
func decodeSymbol(t *testing.T, bs []box) string {
	t.Helper()
	all := bounds(bs)
	scale := rasterPerMM / pointsPerMM // pixels per point
	margin := quietMM * pointsPerMM
	w := int(math.Ceil((all.x1 - all.x0 + 2*margin) * scale))
	h := int(math.Ceil((all.y1 - all.y0 + 2*margin) * scale))
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	px := func(v float64) int { return int(math.Round(v * scale)) }
	for _, b := range bs {
		r := image.Rect(px(b.x0-all.x0+margin), px(all.y1-b.y1+margin), px(b.x1-all.x0+margin), px(all.y1-b.y0+margin))
		draw.Draw(img, r, image.NewUniform(color.Black), image.Point{}, draw.Src)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("binarizing a QR raster: %v", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decoding a QR code rasterized from the PDF: %v", err)
	}
	return res.GetText()
}

// pdfQRCodes decodes every QR code of every page, in reading order.
func pdfQRCodes(t *testing.T, r *pdf.Reader) []string {
	t.Helper()
	var out []string
	for n := 1; n <= r.NumPage(); n++ {
		for _, group := range cluster(filledBoxes(r.Page(n)), clusterGapMM*pointsPerMM) {
			out = append(out, decodeSymbol(t, group))
		}
	}
	return out
}
