package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browserTimeout bounds one browser scenario.
const browserTimeout = 2 * time.Minute

// Where the screenshots are copied for people to look at.
const (
	providerShot = "/tmp/portal.png"
	adminShot    = "/tmp/portal-admin.png"
)

// tokenKey is the sessionStorage key of the portal (portal/assets/session.js).
const tokenKey = "tekstore.portal.token"

// chromiumPath finds Debian's chromium. Without one the test is skipped,
// except under CI, where the browser must have been installed.
func chromiumPath(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("TEKSTORE_CHROMIUM"), "/usr/bin/chromium"}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set but no chromium binary was found: run scripts/install-browser-test-deps.sh first")
	}
	t.Skip("no chromium binary (install it with scripts/install-browser-test-deps.sh); skipping the portal browser test")
	return ""
}

// pageProblems collects what the page reported as broken: uncaught
// exceptions, console errors and security (CSP) errors.
type pageProblems struct {
	mu   sync.Mutex
	list []string
}

func (p *pageProblems) add(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, s)
}

func (p *pageProblems) check(t *testing.T) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.list {
		t.Errorf("the page reported: %s", s)
	}
}

// newBrowser starts headless chromium with a fresh profile. The returned
// context owns the browser; tabs are opened from it with newTab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)
	// The first Do starts the browser; its context must have no deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// newTab opens a tab of the browser (with its own sessionStorage), records
// the problems its pages report, and bounds its work by browserTimeout.
func newTab(t *testing.T, browserCtx context.Context) (context.Context, *pageProblems) {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(browserCtx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	problems := &pageProblems{}
	err := chromedp.Listen(tab, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			text := e.ExceptionDetails.Text
			if ex := e.ExceptionDetails.Exception; ex != nil {
				text += " " + ex.Description
			}
			problems.add("exception: " + text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				problems.add("console error")
			}
		case *cdplog.EventEntryAdded:
			// Network errors (an expected 404 of /v1/cluster) are answers the
			// page handles; anything else at error level, such as a CSP
			// violation, is a defect.
			if e.Entry.Level == cdplog.EntryLevelError && e.Entry.Source != cdplog.EntrySourceNetwork {
				problems.add(string(e.Entry.Source) + ": " + e.Entry.Text)
			}
		}
	})
	if err != nil {
		t.Fatalf("listening to the tab: %v", err)
	}
	if _, err := chromedp.Call(tab, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enabling the log domain: %v", err)
	}
	if _, err := chromedp.CallBrowser(tab, browser.SetDownloadBehavior,
		browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorDeny}); err != nil {
		t.Fatalf("turning downloads off: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, browserTimeout)
	t.Cleanup(cancel)
	return ctx, problems
}

// do runs browser steps and fails the test with the step that broke.
func do(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// get runs one browser action and returns its value.
func get[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

// text returns the text of the element that sel (CSS) selects.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, "reading "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// signIn opens the portal at /portal (the redirect) and signs in with the
// keyboard: the token typed, then Enter.
func signIn(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/portal"),
		chromedp.WaitVisible(chromedp.ID("signin-token")),
		chromedp.SendKeys(chromedp.ID("signin-token"), token+kb.Enter),
		chromedp.WaitVisible(chromedp.ID("signout")),
	)
	href := get(t, ctx, "location", chromedp.Location())
	if href != base+"/portal/" {
		t.Errorf("location after sign-in = %q, want %q", href, base+"/portal/")
	}
	if strings.Contains(href, token) {
		t.Fatal("the token appears in the URL")
	}
}

// storedToken returns the token the tab keeps in sessionStorage.
func storedToken(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, "reading sessionStorage",
		chromedp.Evaluate[string](fmt.Sprintf("sessionStorage.getItem(%q) || ''", tokenKey)))
}

// screenshot saves a full-page PNG into dir, copies it to copyTo for people
// to look at, and returns its path.
func screenshot(t *testing.T, ctx context.Context, dir, name, copyTo string) string {
	t.Helper()
	png := get(t, ctx, "screenshot", chromedp.FullScreenshot(100))
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatalf("saving the screenshot: %v", err)
	}
	if err := os.WriteFile(copyTo, png, 0o644); err != nil {
		t.Logf("copying the screenshot to %s: %v", copyTo, err)
	}
	t.Logf("screenshot: %s (copy at %s)", p, copyTo)
	return p
}

// TestPortalInBrowser drives the portal in headless Chromium: a provider
// signs in, issues a code and a stack of cards, an app publishes with the
// code, the provider sees the upload and rolls it back; then an
// administrator adds and suspends a provider, rolls back another provider's
// uploads over a time window, and sees the cluster panel.
func TestPortalInBrowser(t *testing.T) {
	browserCtx := newBrowser(t)
	s := startNode(t)
	base := s.URL()
	shots := t.TempDir()

	t.Run("provider", func(t *testing.T) {
		_, token := addProvider(t, base, "GGD Browser Test")
		ctx, problems := newTab(t, browserCtx)
		signIn(t, ctx, base, token)
		do(t, ctx, "open the provider view", chromedp.WaitVisible(chromedp.ID("provider-view")))
		if who := text(t, ctx, "#who"); who != "Signed in as care provider" {
			t.Errorf("header says %q", who)
		}
		if storedToken(t, ctx) != token {
			t.Error("the token is not kept in sessionStorage")
		}

		do(t, ctx, "issue one code",
			chromedp.Click(chromedp.ID("issue-one-button")),
			chromedp.WaitVisible(chromedp.ID("one-result")),
		)
		code, expiry := text(t, ctx, "#issued-code"), text(t, ctx, "#issued-expiry")
		if !printedCodeRE.MatchString(code) || expiry == "" {
			t.Fatalf("issued code %q, expiry %q", code, expiry)
		}

		do(t, ctx, "make a PDF of cards",
			chromedp.SetValue(chromedp.ID("stack-count"), "3"),
			chromedp.Click(chromedp.ID("issue-stack-button")),
			chromedp.WaitVisible(chromedp.ID("stack-result")),
		)
		// The link's type is the type of the Blob the API answered with.
		href := get(t, ctx, "PDF link", chromedp.AttributeValue(chromedp.ID("stack-link"), "href")).Value
		pdfType := get(t, ctx, "PDF type", chromedp.AttributeValue(chromedp.ID("stack-link"), "type")).Value
		if !strings.HasPrefix(href, "blob:") || pdfType != "application/pdf" {
			t.Errorf("PDF link %q of type %q, want a blob: link to application/pdf", href, pdfType)
		}

		// The patient's app uploads with the code from the screen.
		st, pub, body := publish(t, base, code, freshKeys(t, 3))
		if st != http.StatusOK {
			t.Fatalf("publish with the portal's code: %d %s", st, body)
		}
		row := fmt.Sprintf(`#subs tr[data-id=%q]`, pub.Submission)
		do(t, ctx, "see the upload and roll it back",
			chromedp.Click(chromedp.ID("subs-refresh")),
			chromedp.WaitVisible(chromedp.CSS(row+` [data-state="active"]`)),
			chromedp.Click(chromedp.CSS(row+" button")),
			chromedp.WaitVisible(chromedp.ID("rollback-reason")),
			chromedp.SendKeys(chromedp.ID("rollback-reason"), "lab mix-up"),
			chromedp.Click(chromedp.ID("confirm-ok")),
			chromedp.WaitVisible(chromedp.CSS(row+` [data-state="rolled_back"]`)),
		)
		if state, status := text(t, ctx, row+" [data-state]"), text(t, ctx, "#status"); state != "Rolled back" || !strings.Contains(status, "3 keys withdrawn") {
			t.Errorf("after rollback: state %q, message %q", state, status)
		}
		screenshot(t, ctx, shots, "portal-provider.png", providerShot)

		var sub struct{ State, Reason string }
		call(t, "GET", base+"/v1/submissions/"+pub.Submission, token, "", nil).decode(t, &sub)
		if sub.State != "rolled_back" || sub.Reason != "lab mix-up" {
			t.Errorf("the API says state %q reason %q, want rolled_back / lab mix-up", sub.State, sub.Reason)
		}

		do(t, ctx, "sign out",
			chromedp.Click(chromedp.ID("signout")),
			chromedp.WaitVisible(chromedp.ID("signin")),
		)
		if storedToken(t, ctx) != "" {
			t.Error("the token is still stored after signing out")
		}
		problems.check(t)
	})

	t.Run("admin", func(t *testing.T) {
		ctx, problems := newTab(t, browserCtx)
		signIn(t, ctx, base, adminToken)
		const name = "Huisartsenpraktijk Browser"
		do(t, ctx, "add a provider",
			chromedp.WaitVisible(chromedp.ID("admin-view")),
			chromedp.SendKeys(chromedp.ID("prov-name"), name),
			chromedp.Click(chromedp.ID("prov-add-button")),
			chromedp.WaitVisible(chromedp.ID("new-token")),
		)
		if who := text(t, ctx, "#who"); who != "Signed in as administrator" {
			t.Errorf("header says %q", who)
		}
		newToken := text(t, ctx, "#new-token-value")
		if r := call(t, "GET", base+"/v1/submissions", newToken, "", nil); r.status != http.StatusOK {
			t.Fatalf("the token shown by the portal does not work: %d %s", r.status, r.body)
		}
		var list struct {
			Providers []struct{ ID, Name string } `json:"providers"`
		}
		call(t, "GET", base+"/v1/providers", adminToken, "", nil).decode(t, &list)
		var id string
		for _, p := range list.Providers {
			if p.Name == name {
				id = p.ID
			}
		}
		if id == "" {
			t.Fatal("the new provider is not in the API's list")
		}
		row := fmt.Sprintf(`#providers tr[data-id=%q]`, id)
		do(t, ctx, "suspend it",
			chromedp.WaitVisible(chromedp.CSS(row+` [data-state="active"]`)),
			chromedp.Click(chromedp.CSS(row+" button")),
			chromedp.WaitVisible(chromedp.ID("confirm-ok")),
			chromedp.Click(chromedp.ID("confirm-ok")),
			chromedp.WaitVisible(chromedp.CSS(row+` [data-state="suspended"]`)),
			chromedp.WaitVisible(chromedp.CSS("#cluster > *")),
		)
		if r := call(t, "GET", base+"/v1/submissions", newToken, "", nil); r.status != http.StatusForbidden {
			t.Errorf("a suspended provider's token: %d, want 403", r.status)
		}
		// The cluster panel shows the nodes, or says clearly that this
		// server has no cluster status endpoint.
		if r := call(t, "GET", base+"/v1/cluster", adminToken, "", nil); r.status == http.StatusOK {
			do(t, ctx, "cluster table", chromedp.WaitVisible(chromedp.CSS(`#cluster tr[data-id="n1"]`)))
		} else {
			do(t, ctx, "cluster message", chromedp.WaitVisible(chromedp.ID("cluster-message")))
		}

		// A lab reports a mix-up: every upload of another provider since
		// 2020 is rolled back retroactively from the portal.
		labID, labToken := addProvider(t, base, "Lab Mix-up")
		var issued struct {
			Codes []struct{ Code string } `json:"codes"`
		}
		call(t, "POST", base+"/v1/authorizations", labToken, "", map[string]any{"count": 1}).decode(t, &issued)
		st, pub, body := publish(t, base, issued.Codes[0].Code, freshKeys(t, 2))
		if st != http.StatusOK {
			t.Fatalf("publish: %d %s", st, body)
		}
		labRow := fmt.Sprintf(`#providers tr[data-id=%q]`, labID)
		subRow := fmt.Sprintf(`#all-subs tr[data-id=%q]`, pub.Submission)
		do(t, ctx, "roll back a provider's uploads",
			chromedp.Click(chromedp.ID("prov-refresh")),
			chromedp.WaitVisible(chromedp.CSS(labRow+" button.danger")),
			chromedp.Click(chromedp.CSS(labRow+" button.danger")),
			chromedp.WaitVisible(chromedp.ID("window-since")),
			chromedp.SetValue(chromedp.ID("window-since"), "2020-01-01T00:00"),
			chromedp.Click(chromedp.ID("confirm-ok")),
			chromedp.WaitVisible(chromedp.CSS(subRow+` [data-state="rolled_back"]`)),
		)
		if status := text(t, ctx, "#status"); !strings.Contains(status, "Rolled back 1 upload of Lab Mix-up: 2 keys withdrawn") {
			t.Errorf("after the provider rollback the page says %q", status)
		}
		var sub struct{ State string }
		call(t, "GET", base+"/v1/submissions/"+pub.Submission, adminToken, "", nil).decode(t, &sub)
		if sub.State != "rolled_back" {
			t.Errorf("the API says the lab's upload is %q, want rolled_back", sub.State)
		}
		screenshot(t, ctx, shots, "portal-admin.png", adminShot)
		problems.check(t)
	})
}
