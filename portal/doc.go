// Package portal is the web portal for health-care providers and operators
// that every tekstore node serves under /portal/ (issue 9, api.md §5, §6).
//
// The portal is plain HTML, CSS and JavaScript modules embedded in the
// binary with embed.FS: there is no build step and nothing is fetched from
// elsewhere. The browser talks to the same node's public API
// (/v1/authorizations, /v1/submissions, /v1/providers, /v1/cluster) with the
// bearer token the user signs in with; the token lives in the tab's
// sessionStorage only, never in a URL or a cookie.
//
// A provider issues one code (shown large with a copy button) or a stack of
// printable cards (a PDF), sees the uploads made with its codes and rolls one
// back with a reason. The admin token opens the operator view: providers
// (add, suspend, resume, retroactive rollback over a time window), every
// upload, and the cluster status.
//
// Every portal response carries a strict Content-Security-Policy (no inline
// script or style, same-origin only), X-Content-Type-Options: nosniff,
// Referrer-Policy: no-referrer and X-Frame-Options: DENY.
//
// Routes adds the portal to a gorilla/mux router; the server assembly calls
// it through transport.Config.Extra. The package depends on no other part
// of tekstore.
package portal
