package e2e

import (
	"net/http"
	"regexp"
	"sort"
	"testing"

	"github.com/tekstore/tekstore/codes"
)

// printedCodeRE matches a code as printed: four groups of four Crockford
// base32 characters (no I, L, O, U).
var printedCodeRE = regexp.MustCompile(`[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}`)

// TestCardsPDFCodesWork issues a stack of cards as a PDF through the real
// API, reads the codes back from the PDF's text and from its QR codes, and
// checks that both agree and that every printed code authorizes exactly one
// upload.
func TestCardsPDFCodesWork(t *testing.T) {
	const n = 9 // two pages: eight cards on the first, one on the second
	s := startNode(t)
	base := s.URL()
	_, token := addProvider(t, base, "GGD Cards Test")

	r := call(t, "POST", base+"/v1/authorizations", token, "application/pdf", map[string]any{"count": n, "ttl": "72h"})
	if r.status != http.StatusCreated {
		t.Fatalf("POST /v1/authorizations (PDF): %d %s", r.status, r.body)
	}
	if got := r.header.Get("Content-Type"); got != "application/pdf" {
		t.Fatalf("Content-Type = %q, want application/pdf", got)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store (the PDF holds secrets)", got)
	}
	doc := openPDF(t, r.body)
	if got, want := doc.NumPage(), 2; got != want {
		t.Fatalf("%d cards on %d pages, want %d", n, got, want)
	}

	var printed []string
	for page, text := range pdfText(t, doc) {
		found := printedCodeRE.FindAllString(text, -1)
		if page == 0 && len(found) != 8 {
			t.Errorf("page 1 shows %d codes, want 8", len(found))
		}
		printed = append(printed, found...)
	}
	scanned := pdfQRCodes(t, doc)
	if len(printed) != n || len(scanned) != n {
		t.Fatalf("found %d printed codes and %d QR codes, want %d of each", len(printed), len(scanned), n)
	}

	// The text and the QR codes name the same codes, card by card.
	canonical := make([]string, n)
	for i, p := range printed {
		c, err := codes.Parse(p)
		if err != nil {
			t.Fatalf("printed code %d does not parse: %v", i+1, err)
		}
		canonical[i] = c.Canonical()
	}
	for i := range canonical {
		if canonical[i] != scanned[i] {
			t.Errorf("card %d: the QR code does not match the printed code", i+1)
		}
	}
	distinct := append([]string(nil), canonical...)
	sort.Strings(distinct)
	for i := 1; i < len(distinct); i++ {
		if distinct[i] == distinct[i-1] {
			t.Fatal("the PDF prints the same code twice")
		}
	}

	// Each code works for exactly one upload: typed as printed, or as the
	// QR scanner reads it. (The node's per-address publish budget answers
	// some of these 429; call retries them after Retry-After.)
	seen := map[string]bool{}
	for i := range printed {
		code := printed[i]
		if i%2 == 1 {
			code = scanned[i]
		}
		keys := freshKeys(t, 2)
		st, res, body := publish(t, base, code, keys)
		if st != http.StatusOK || res.Inserted != 2 || res.Submission == "" {
			t.Fatalf("card %d: publish: %d %s", i+1, st, body)
		}
		if seen[res.Submission] {
			t.Fatalf("card %d: submission %s reused", i+1, res.Submission)
		}
		seen[res.Submission] = true
		if i == 0 {
			if st, again, _ := publish(t, base, code, keys); st != http.StatusOK || again.Submission != res.Submission {
				t.Errorf("card 1: retrying the same upload: %d, submission %q, want 200 and %q", st, again.Submission, res.Submission)
			}
		}
		if st, _, body := publish(t, base, code, freshKeys(t, 2)); st != http.StatusConflict {
			t.Errorf("card %d: second upload with other keys: %d %s, want 409 code_used", i+1, st, body)
		}
	}

	var list struct {
		Submissions []struct{ ID, State string } `json:"submissions"`
	}
	lr := call(t, "GET", base+"/v1/submissions", token, "", nil)
	if lr.status != http.StatusOK {
		t.Fatalf("GET /v1/submissions: %d %s", lr.status, lr.body)
	}
	lr.decode(t, &list)
	if len(list.Submissions) != n {
		t.Fatalf("the provider sees %d submissions, want %d", len(list.Submissions), n)
	}
	for _, sub := range list.Submissions {
		if !seen[sub.ID] || sub.State != "active" {
			t.Errorf("submission %s: state %q, known %v", sub.ID, sub.State, seen[sub.ID])
		}
	}
}
