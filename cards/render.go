package cards

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Texts printed on every card and page.
const (
	instructionUse   = "Open the exposure notification app, choose 'I tested positive', and enter this code or scan the QR code."
	instructionShare = "Single use. Do not share this code."
	cutHint          = "Cut along the dashed lines. Each card holds one single-use code."
	documentTitle    = "Authorization codes"
	expiryLayout     = "2 Jan 2006, 15:04 MST"
)

// documentDate is the fixed creation and modification date of every PDF, so
// that the same cards always give the same bytes. It is the day Apple and
// Google announced exposure notification.
var documentDate = time.Date(2020, time.April, 10, 0, 0, 0, 0, time.UTC)

// Font sizes in points.
const (
	codeFontSize   = 20
	expiryFontSize = 10
)

// maxProviderLines is how many lines the provider's name may take on a card;
// longer names are cut with an ellipsis.
const maxProviderLines = 2

// Render writes an A4 PDF of cut-out cards, eight per page, one for each of
// cards in order, issued by provider. It returns ErrNoCards for an empty
// list and an error wrapping ErrBadCard if a card's code does not parse or
// it has no expiry time; nothing is written then.
func Render(w io.Writer, provider string, cards []Card) error {
	valid, err := validate(cards)
	if err != nil {
		return err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(documentDate)
	pdf.SetModificationDate(documentDate)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(documentTitle, true)
	pdf.SetSubject(provider, true)
	pdf.SetCreator("tekstore", true)
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252, for the core fonts

	for i, c := range valid {
		slot := i % perPage
		if slot == 0 {
			pdf.AddPage()
			drawPageHint(pdf)
		}
		x, y := cellOrigin(slot)
		if err := drawCard(pdf, tr, x, y, tr(provider), c); err != nil {
			return fmt.Errorf("cards: card %d: %w", i+1, err)
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("cards: writing PDF: %w", err)
	}
	return nil
}

// drawPageHint prints the cutting hint in the top margin.
func drawPageHint(pdf *fpdf.Fpdf) {
	pdf.SetFont("Helvetica", "", 7)
	pdf.SetTextColor(110, 110, 110)
	pdf.SetXY(marginX, 3.5)
	pdf.CellFormat(pageWidth-2*marginX, 4, cutHint, "", 0, "C", false, 0, "")
}

// drawCard draws one card with its top left corner at (x, y). provider is
// already translated to the core fonts' code page.
func drawCard(pdf *fpdf.Fpdf, tr func(string) string, x, y float64, provider string, c printable) error {
	drawCutLines(pdf, x, y)

	modules, err := qrModules(c.code.Canonical())
	if err != nil {
		return err
	}
	qx, qy := qrOrigin(x, y)
	drawQR(pdf, modules, qx, qy, qrSize)

	left, top := x+padding, y+padding
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.SetXY(left, top)
	for _, line := range providerLines(pdf, provider) {
		pdf.CellFormat(textWidth, 5, line, "", 2, "L", false, 0, "")
	}

	pdf.SetFont("Helvetica", "", 8.5)
	pdf.SetTextColor(60, 60, 60)
	pdf.SetXY(left, pdf.GetY()+1.5)
	pdf.MultiCell(textWidth, 3.8, "Authorization code for your exposure notification app", "", "L", false)

	pdf.SetXY(left, pdf.GetY()+1.5)
	pdf.CellFormat(textWidth, 3.8, "Valid until", "", 2, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	expiry := tr(c.expiresAt.Format(expiryLayout))
	fitFont(pdf, "Helvetica", "B", expiryFontSize, expiry, textWidth)
	pdf.CellFormat(textWidth, 5, expiry, "", 2, "L", false, 0, "")

	pdf.SetFont("Courier", "B", codeFontSize)
	pdf.SetXY(left, y+codeTop)
	pdf.CellFormat(contentWide, codeHeight, c.code.String(), "", 0, "C", false, 0, "")

	pdf.SetFont("Helvetica", "", 8)
	pdf.SetTextColor(40, 40, 40)
	pdf.SetXY(left, y+instrTop)
	pdf.MultiCell(contentWide, instrLine, instructionUse, "", "L", false)
	pdf.SetFont("Helvetica", "B", 8)
	pdf.SetX(left)
	pdf.MultiCell(contentWide, instrLine, instructionShare, "", "L", false)

	if err := pdf.Error(); err != nil {
		return fmt.Errorf("drawing: %w", err)
	}
	return nil
}

// fitFont sets the font at size pt, or smaller if text would otherwise be
// wider than width mm.
func fitFont(pdf *fpdf.Fpdf, family, style string, size float64, text string, width float64) {
	pdf.SetFont(family, style, size)
	if w := pdf.GetStringWidth(text); w > width {
		pdf.SetFont(family, style, size*width/w)
	}
}

// providerLines splits the provider's name into at most maxProviderLines
// lines of textWidth in the current font, ending a cut name with "...".
func providerLines(pdf *fpdf.Fpdf, provider string) []string {
	raw := pdf.SplitLines([]byte(strings.TrimSpace(provider)), textWidth)
	lines := make([]string, 0, maxProviderLines)
	for i, l := range raw {
		if i == maxProviderLines {
			break
		}
		lines = append(lines, string(l))
	}
	if len(raw) > maxProviderLines {
		last := lines[maxProviderLines-1]
		for last != "" && pdf.GetStringWidth(last+"...") > textWidth {
			last = last[:len(last)-1]
		}
		lines[maxProviderLines-1] = strings.TrimRight(last, " ") + "..."
	}
	return lines
}

// drawCutLines draws the dashed frame of the card at (x, y). Neighbouring
// cards draw their shared edge with identical dashes.
func drawCutLines(pdf *fpdf.Fpdf, x, y float64) {
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{dashOn, dashOff}, 0)
	x2, y2 := x+cardWidth, y+cardHeight
	pdf.Line(x, y, x2, y)
	pdf.Line(x, y2, x2, y2)
	pdf.Line(x, y, x, y2)
	pdf.Line(x2, y, x2, y2)
	pdf.SetDashPattern(nil, 0)
}
