// Package e2e holds the portal's end-to-end tests against a real
// single-node tekstore (server.Start): the printable cards' PDF read back
// through text extraction and QR decoding, and the portal driven in headless
// Chromium with chromedp. It has no code of its own.
//
// Run: go test ./portal/e2e/. The browser test needs Debian's chromium
// (scripts/install-browser-test-deps.sh); without it the test is skipped,
// unless the environment variable CI is set, where it fails instead.
package e2e
