package cards

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/tekstore/tekstore/codes"
)

// sample, when set, makes TestRenderTenCards also write its PDF there, to
// look at: go test ./cards -run TestRenderTenCards -sample /tmp/cards.pdf
var sample = flag.String("sample", "", "write the rendered sample PDF to this file")

// testCards returns n cards with fresh codes, in mixed input forms.
func testCards(t *testing.T, n int) []Card {
	t.Helper()
	expires := time.Date(2026, time.November, 22, 14, 5, 0, 0, time.UTC)
	out := make([]Card, n)
	for i := range out {
		c, err := codes.Generate()
		if err != nil {
			t.Fatalf("codes.Generate: %v", err)
		}
		form := c.String()
		if i%3 == 1 {
			form = strings.ToLower(c.Canonical())
		}
		out[i] = Card{Code: form, ExpiresAt: expires.Add(time.Duration(i) * time.Hour)}
	}
	return out
}

// render renders cards and opens the result with the PDF reader.
func render(t *testing.T, provider string, cards []Card) ([]byte, *pdf.Reader) {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, provider, cards); err != nil {
		t.Fatalf("Render: %v", err)
	}
	r, err := pdf.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("reading the rendered PDF: %v", err)
	}
	return buf.Bytes(), r
}

// grouped returns the printed form of a card's code.
func grouped(t *testing.T, c Card) string {
	t.Helper()
	code, err := codes.Parse(c.Code)
	if err != nil {
		t.Fatalf("codes.Parse: %v", err)
	}
	return code.String()
}

// pageText returns the plain text of page n (1-based).
func pageText(t *testing.T, r *pdf.Reader, n int) string {
	t.Helper()
	text, err := r.Page(n).GetPlainText(nil)
	if err != nil {
		t.Fatalf("text of page %d: %v", n, err)
	}
	return text
}

func TestRenderTenCards(t *testing.T) {
	const provider = "GGD Amsterdam"
	cards := testCards(t, 10)
	raw, r := render(t, provider, cards)
	if *sample != "" {
		if err := os.WriteFile(*sample, raw, 0o644); err != nil {
			t.Fatalf("writing sample: %v", err)
		}
	}

	if got, want := r.NumPage(), 2; got != want {
		t.Fatalf("pages = %d, want %d", got, want)
	}
	for i, c := range cards {
		page := i/perPage + 1
		text := pageText(t, r, page)
		if code := grouped(t, c); !strings.Contains(text, code) {
			t.Errorf("card %d: code not found in the text of page %d", i+1, page)
		}
		if expiry := c.ExpiresAt.Format(expiryLayout); !strings.Contains(text, expiry) {
			t.Errorf("card %d: expiry %q not found on page %d", i+1, expiry, page)
		}
	}
	for page := 1; page <= r.NumPage(); page++ {
		text := pageText(t, r, page)
		onPage := min(perPage, len(cards)-(page-1)*perPage)
		for _, want := range []string{provider, "Valid until", "Single use. Do not share this code.", "I tested positive"} {
			if got := strings.Count(text, want); got != onPage {
				t.Errorf("page %d: %q appears %d times, want %d", page, want, got, onPage)
			}
		}
	}

	decoded := decodePageQRs(t, r)
	if len(decoded) != len(cards) {
		t.Fatalf("decoded %d QR codes, want %d", len(decoded), len(cards))
	}
	for i, c := range cards {
		code, _ := codes.Parse(c.Code)
		if decoded[i] != code.Canonical() {
			t.Errorf("card %d: QR code says %q, want the card's canonical code", i+1, decoded[i])
		}
	}
}

func TestRenderPageCount(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 16, 17} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			cards := testCards(t, n)
			_, r := render(t, "Lab", cards)
			if got, want := r.NumPage(), (n+perPage-1)/perPage; got != want {
				t.Fatalf("%d cards: %d pages, want %d", n, got, want)
			}
			if got := len(decodePageQRs(t, r)); got != n {
				t.Fatalf("%d cards: %d QR codes decoded", n, got)
			}
		})
	}
}

func TestRenderDeterministic(t *testing.T) {
	cards := testCards(t, 9)
	a, _ := render(t, "GGD Hollands Noorden", cards)
	b, _ := render(t, "GGD Hollands Noorden", cards)
	if !bytes.Equal(a, b) {
		t.Fatal("the same cards rendered to different bytes")
	}
	c, _ := render(t, "GGD Hollands Noorden", testCards(t, 9))
	if bytes.Equal(a, c) {
		t.Fatal("different codes rendered to the same bytes")
	}
}

func TestRenderProviderNames(t *testing.T) {
	tests := []struct {
		name     string
		provider string
		want     string
	}{
		{"latin-1", "Huisartsenpraktijk Zürich", "Zürich"},
		{"outside cp1252", "Klinik \u0141\u00f3d\u017a", "Klinik"},
		{"long name cut", strings.Repeat("Very Long Laboratory Name ", 10), "..."},
		{"empty", "", "Valid until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r := render(t, tt.provider, testCards(t, 1))
			if text := pageText(t, r, 1); !strings.Contains(text, tt.want) {
				t.Fatalf("page text lacks %q", tt.want)
			}
		})
	}
}

func TestRenderRejects(t *testing.T) {
	good := testCards(t, 2)
	tests := []struct {
		name  string
		cards []Card
		want  error
		code  error
	}{
		{"no cards", nil, ErrNoCards, nil},
		{"malformed code", []Card{good[0], {Code: "not a code", ExpiresAt: good[0].ExpiresAt}}, ErrBadCard, codes.ErrMalformed},
		{"bad check character", []Card{{Code: "K7Q2-9XMD-3HPA-W4ZR", ExpiresAt: good[0].ExpiresAt}}, ErrBadCard, codes.ErrCheck},
		{"no expiry", []Card{{Code: good[1].Code}}, ErrBadCard, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Render(&buf, "Lab", tt.cards)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Render error = %v, want %v", err, tt.want)
			}
			if tt.code != nil && !errors.Is(err, tt.code) {
				t.Fatalf("Render error = %v, want it to wrap %v", err, tt.code)
			}
			if buf.Len() != 0 {
				t.Fatalf("Render wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestRenderWriteError(t *testing.T) {
	err := Render(failingWriter{}, "Lab", testCards(t, 1))
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Render to a failing writer: err = %v, want it to wrap io.ErrClosedPipe", err)
	}
}
