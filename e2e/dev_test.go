package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tekstore/tekstore/client"
)

// The lines of the dev banner the tests read.
var (
	reAdmin    = regexp.MustCompile(`(?m)^  Admin token:\s+(\S+)$`)
	reProvider = regexp.MustCompile(`(?m)^  Provider token:\s+(\S+)\s`)
	reCode     = regexp.MustCompile(`(?m)^  Code:\s+(\S+)\s`)
	reCurl     = regexp.MustCompile(`(?s)(# 1\. .*)$`)
)

// devBanner waits until dev has printed its whole banner.
func devBanner(t *testing.T, p *proc) (admin, provider, code string) {
	t.Helper()
	waitFor(t, "the dev banner", readyTimeout, p, func() bool {
		return strings.Contains(p.stdout.String(), "the keys are gone")
	})
	out := p.stdout.String()
	for _, m := range []struct {
		re  *regexp.Regexp
		dst *string
	}{{reAdmin, &admin}, {reProvider, &provider}, {reCode, &code}} {
		sub := m.re.FindStringSubmatch(out)
		if sub == nil {
			t.Fatalf("banner lacks %s:\n%s", m.re, out)
		}
		*m.dst = sub[1]
	}
	return admin, provider, code
}

// TestDevPrintsWorkingTokensAndCode runs `tekstore dev` in an empty
// directory, uses what it prints, restarts it and checks that the tokens
// stay and a new code comes.
func TestDevPrintsWorkingTokensAndCode(t *testing.T) {
	dir := t.TempDir()
	httpAddr, raftAddr := freeAddr(t), freeAddr(t)
	args := []string{"dev", "--http", httpAddr, "--raft", raftAddr}
	dev := startProc(t, dir, args...)
	admin, provTok, code := devBanner(t, dev)
	for _, f := range []string{"dev-admin.token", "dev-provider.json"} {
		st, err := os.Stat(filepath.Join(dir, "tekstore-data", f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v; want a 0600 file in ./tekstore-data", f, err, st)
		}
	}
	ctx := context.Background()
	c, err := client.New("http://" + httpAddr)
	if err != nil {
		t.Fatal(err)
	}
	if pasteable() {
		// The user's path: paste the printed lines as they are; the code
		// is then used, so the library test below gets a new one.
		runBannerCurl(t, dev.stdout.String())
		var issued struct{ Codes []client.IssuedCode }
		mustJSON(t, runCLI(t, "codes", "issue", "--format", "json", "--addr", "http://"+httpAddr, "--token", provTok), &issued)
		code = issued.Codes[0].Code
	}
	pub, err := c.Publish(ctx, client.PublishRequest{Code: code, Keys: randomKeys(t, 2)})
	if err != nil || pub.Inserted != 2 {
		t.Fatalf("publish with the code = %+v, %v", pub, err)
	}
	if _, err := c.WithToken(provTok).Submission(ctx, pub.Submission); err != nil {
		t.Fatalf("the printed provider token cannot read its submission: %v", err)
	}
	if _, err := c.WithToken(admin).Providers(ctx); err != nil {
		t.Fatalf("the printed admin token is not admin: %v", err)
	}
	dev.stop(t, os.Interrupt)

	again := startProc(t, dir, args...)
	admin2, provTok2, code2 := devBanner(t, again)
	if admin2 != admin || provTok2 != provTok {
		t.Errorf("tokens changed across a restart")
	}
	if code2 == code {
		t.Errorf("restart printed the same code again")
	}
	if _, err := c.WithToken(admin).Submission(ctx, pub.Submission, client.MinIndex(pub.Seq)); err != nil {
		t.Fatalf("submission lost across a restart: %v", err)
	}
	again.stop(t, os.Interrupt)
}

// pasteable reports whether sh and curl are there to run the banner's lines.
func pasteable() bool {
	_, shErr := exec.LookPath("sh")
	_, curlErr := exec.LookPath("curl")
	return shErr == nil && curlErr == nil
}

// runBannerCurl pastes the banner's curl lines into sh, as the README tells
// users to, and checks each step's answer.
func runBannerCurl(t *testing.T, banner string) {
	t.Helper()
	m := reCurl.FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("banner has no curl steps:\n%s", banner)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sh", "-c", m[1]).CombinedOutput()
	if err != nil {
		t.Fatalf("pasted curl lines failed: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 {
		t.Fatalf("curl steps printed %d lines, want 4:\n%s", len(lines), out)
	}
	checks := []string{`"inserted":2`, `"reset":true`, `"revoked":2`, `"keys":[],"revoked":[]`}
	for i, want := range checks {
		if !strings.Contains(lines[i], want) {
			t.Errorf("step %d answered %s; want it to contain %s", i+1, lines[i], want)
		}
	}
	if n := strings.Count(lines[1], `"rollingStartNumber"`); n != 2 {
		t.Errorf("step 2 shows %d keys, want the 2 published: %s", n, lines[1])
	}
}
