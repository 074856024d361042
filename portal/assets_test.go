package portal

import (
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"
)

// pageRefs returns the URLs that index.html references (src and href) and
// checks the page's rules on the way: no inline script or style, no event
// handler attributes, a label for every form control.
func pageRefs(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parsing index.html: %v", err)
	}
	var refs []string
	labelled := map[string]bool{}
	var controls []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attrs := map[string]string{}
			for _, a := range n.Attr {
				attrs[a.Key] = a.Val
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("<%s> has an inline event handler %s (blocked by the CSP)", n.Data, a.Key)
				}
				if a.Key == "style" {
					t.Errorf("<%s> has an inline style attribute (blocked by the CSP)", n.Data)
				}
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					t.Errorf("<%s %s> uses a javascript: URL", n.Data, a.Key)
				}
			}
			switch n.Data {
			case "script":
				if attrs["src"] == "" {
					t.Error("index.html has an inline <script> (blocked by the CSP)")
				}
			case "style":
				t.Error("index.html has an inline <style> (blocked by the CSP)")
			case "label":
				if attrs["for"] != "" {
					labelled[attrs["for"]] = true
				}
			case "input", "select", "textarea":
				if attrs["type"] != "hidden" {
					controls = append(controls, attrs["id"])
				}
			}
			for _, k := range []string{"src", "href"} {
				if v, ok := attrs[k]; ok && v != "#" && !strings.HasPrefix(v, "#") {
					refs = append(refs, v)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, id := range controls {
		if id == "" || !labelled[id] {
			t.Errorf("form control %q has no <label for=...>", id)
		}
	}
	return refs
}

// Module imports and CSS url()s inside the assets.
var (
	importRE = regexp.MustCompile(`(?m)^\s*import\s+(?:[^'"]*\s+from\s+)?['"]([^'"]+)['"]`)
	cssURLRE = regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`)
)

// TestAssetReferencesResolve follows every reference from the page, the
// modules and the style sheet, and checks that each is served from the
// portal with the right type, and that every embedded file is used.
func TestAssetReferencesResolve(t *testing.T) {
	h := newRouter()
	seen := map[string]bool{}
	queue := []string{Path}
	for len(queue) > 0 {
		target := queue[0]
		queue = queue[1:]
		if seen[target] {
			continue
		}
		seen[target] = true
		rec := do(t, h, "GET", target, nil)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", target, rec.Code)
			continue
		}
		body := rec.Body.String()
		ctype := rec.Header().Get("Content-Type")
		var refs []string
		switch {
		case strings.HasPrefix(ctype, "text/html"):
			refs = pageRefs(t, body)
		case strings.HasPrefix(ctype, "text/javascript"):
			for _, m := range importRE.FindAllStringSubmatch(body, -1) {
				if !strings.HasPrefix(m[1], "./") {
					t.Errorf("%s imports %q: only relative ./ imports of the portal's own files", target, m[1])
				}
				refs = append(refs, m[1])
			}
		case strings.HasPrefix(ctype, "text/css"):
			for _, m := range cssURLRE.FindAllStringSubmatch(body, -1) {
				refs = append(refs, m[1])
			}
		}
		dir := target
		if !strings.HasSuffix(dir, "/") {
			dir = path.Dir(dir) + "/"
		}
		for _, ref := range refs {
			if strings.Contains(ref, "://") || strings.HasPrefix(ref, "//") || strings.HasPrefix(ref, "data:") {
				t.Errorf("%s references %q outside the portal", target, ref)
				continue
			}
			abs := path.Clean(path.Join(dir, ref))
			if !strings.HasPrefix(abs, Path) {
				t.Errorf("%s references %q outside %s", target, ref, Path)
				continue
			}
			if want := contentTypes[path.Ext(abs)]; want != "" {
				if got := do(t, h, "GET", abs, nil).Header().Get("Content-Type"); got != want {
					t.Errorf("%s (from %s): Content-Type %q, want %q", abs, target, got, want)
				}
			}
			queue = append(queue, abs)
		}
	}
	var unused []string
	for name := range assets {
		if name != indexName && !seen[Path+name] {
			unused = append(unused, name)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("embedded but never referenced: %v", unused)
	}
	if len(seen) < 8 {
		t.Errorf("followed only %d files; the reference scan is broken", len(seen))
	}
}

// TestScriptsAvoidHTMLInjection keeps data out of the HTML parser: the
// portal shows names, reasons and ids that others typed.
func TestScriptsAvoidHTMLInjection(t *testing.T) {
	banned := []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "localStorage.", "document.cookie"}
	for name, a := range assets {
		if path.Ext(name) != ".js" {
			continue
		}
		for _, b := range banned {
			if strings.Contains(string(a.body), b) {
				t.Errorf("%s uses %s", name, b)
			}
		}
	}
}

func TestLoadAssetsRejects(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"no index", fstest.MapFS{"assets/app.js": {Data: []byte("x")}}, "index.html is missing"},
		{"folder", fstest.MapFS{"assets/index.html": {}, "assets/sub/a.js": {}}, "must be flat"},
		{"unknown type", fstest.MapFS{"assets/index.html": {}, "assets/blob.unknownext": {}}, "no content type"},
		{"no assets dir", fstest.MapFS{}, "listing assets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadAssets(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("loadAssets error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
