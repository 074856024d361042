package transport

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/rs/zerolog"
)

// openAPIPath is the API document, relative to this package.
const openAPIPath = "../docs/openapi.yaml"

// routedOutsideTransport lists the documented paths whose routes another
// package registers through Config.Extra when server/ assembles a node, so
// the router built here does not have them: the portal's page and files
// (package portal). Only these may be documented without a route here; any
// other documented path must be served, and every served route documented.
// When one of them becomes a route of this package, the test asks for it
// to be dropped from this list.
var routedOutsideTransport = map[string]bool{
	"/portal":        true,
	"/portal/":       true,
	"/portal/{file}": true,
}

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

// openAPIDoc is what the tests read from the document.
type openAPIDoc struct {
	version    string
	ops        map[string]map[string]bool // path -> lower-case methods
	components map[string]bool            // "schemas/Error", "responses/NotFound", ...
	refs       []string                   // every $ref target
	opIDs      map[string]int
	noResp     []string // operations without responses
}

var refPattern = regexp.MustCompile(`\$ref:\s*'#/components/([A-Za-z]+/[A-Za-z0-9._-]+)'`)

// parseOpenAPI reads the parts of the YAML document the agreement test
// needs. The document keeps a fixed layout (two-space indents, paths at
// indent 2, operations at indent 4, components at indents 2 and 4), which
// this reader checks instead of depending on a YAML library.
func parseOpenAPI(path string) (*openAPIDoc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	doc := &openAPIDoc{ops: map[string]map[string]bool{}, components: map[string]bool{}, opIDs: map[string]int{}}
	var section, curPath, curOp, kind string
	hasResponses := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.Contains(line, "\t") {
			return nil, fmt.Errorf("line %d: tab in YAML", n)
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if indent%2 != 0 && !strings.HasPrefix(trimmed, "- ") {
			// Continuation lines of block scalars and flow sequences may
			// have any indent; keys never do.
			if strings.HasSuffix(trimmed, ":") {
				return nil, fmt.Errorf("line %d: odd indent for a key", n)
			}
		}
		for _, m := range refPattern.FindAllStringSubmatch(line, -1) {
			doc.refs = append(doc.refs, m[1])
		}
		if indent == 0 {
			section = strings.TrimSuffix(strings.SplitN(trimmed, ":", 2)[0], ":")
			if section == "openapi" {
				doc.version = strings.TrimSpace(strings.SplitN(trimmed, ":", 2)[1])
			}
			continue
		}
		key, _, isKey := strings.Cut(trimmed, ":")
		switch section {
		case "paths":
			switch {
			case indent == 2 && isKey && strings.HasSuffix(trimmed, ":"):
				curPath = strings.Trim(key, `'"`)
				if !strings.HasPrefix(curPath, "/") {
					return nil, fmt.Errorf("line %d: path %q does not start with /", n, curPath)
				}
				if doc.ops[curPath] != nil {
					return nil, fmt.Errorf("line %d: path %s twice", n, curPath)
				}
				doc.ops[curPath] = map[string]bool{}
				curOp = ""
			case indent == 4 && isKey && httpMethods[key]:
				if doc.ops[curPath][key] {
					return nil, fmt.Errorf("line %d: %s %s twice", n, key, curPath)
				}
				doc.ops[curPath][key] = true
				curOp = strings.ToUpper(key) + " " + curPath
			case indent == 6 && curOp != "" && key == "responses":
				hasResponses[curOp] = true
			case indent == 6 && curOp != "" && key == "operationId":
				doc.opIDs[strings.TrimSpace(strings.SplitN(trimmed, ":", 2)[1])]++
			}
		case "components":
			switch {
			case indent == 2 && isKey:
				kind = key
			case indent == 4 && isKey && strings.HasSuffix(trimmed, ":"):
				doc.components[kind+"/"+key] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	for p, ms := range doc.ops {
		for m := range ms {
			if op := strings.ToUpper(m) + " " + p; !hasResponses[op] {
				doc.noResp = append(doc.noResp, op)
			}
		}
	}
	return doc, nil
}

// normalizeTemplate turns a mux template into OpenAPI syntax: {n:[0-9]+}
// becomes {n}.
func normalizeTemplate(tpl string) string {
	var b strings.Builder
	depth, skipping := 0, false
	for _, c := range tpl {
		switch {
		case c == '{':
			depth++
			if depth == 1 {
				b.WriteRune(c)
				continue
			}
		case c == '}':
			depth--
			if depth == 0 {
				skipping = false
				b.WriteRune(c)
				continue
			}
		case c == ':' && depth == 1:
			skipping = true
			continue
		}
		if !skipping {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// routerOps walks a router and returns path -> methods; a route without a
// method matcher is recorded with the method "*".
func routerOps(t *testing.T, r *mux.Router) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return fmt.Errorf("route %q has no path template: %w", route.GetName(), err)
		}
		p := normalizeTemplate(tpl)
		if out[p] == nil {
			out[p] = map[string]bool{}
		}
		methods, err := route.GetMethods()
		if err != nil {
			out[p]["*"] = true
			return nil
		}
		for _, m := range methods {
			out[p][strings.ToLower(m)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk router: %v", err)
	}
	return out
}

// fullRouter builds the API with every route registration this package
// owns, including the ones server/ passes through Config.Extra.
func fullRouter(t *testing.T) *mux.Router {
	t.Helper()
	api := New(Config{
		Store:  newFakeStore(t, "n1"),
		Logger: zerolog.Nop(),
		Extra:  []func(*mux.Router, *Server){ClusterRoutes(ClusterConfig{})},
	})
	return api.Router()
}

// TestOpenAPIMatchesRouter fails when the router serves a route+method the
// document lacks, or the document has a path+method the router lacks
// (except routedOutsideTransport).
func TestOpenAPIMatchesRouter(t *testing.T) {
	doc, err := parseOpenAPI(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	routes := routerOps(t, fullRouter(t))
	if len(routes) < 20 {
		t.Fatalf("router walk found only %d paths", len(routes))
	}
	var problems []string
	for p, ms := range routes {
		if routedOutsideTransport[p] {
			problems = append(problems, fmt.Sprintf("%s is routed by transport now: drop it from routedOutsideTransport", p))
		}
		for m := range ms {
			switch {
			case doc.ops[p] == nil:
				problems = append(problems, fmt.Sprintf("route %s %s is not in %s", strings.ToUpper(m), p, openAPIPath))
			case m == "*":
				if len(doc.ops[p]) == 0 {
					problems = append(problems, fmt.Sprintf("route %s (any method) has no operation in the document", p))
				}
			case !doc.ops[p][m]:
				problems = append(problems, fmt.Sprintf("route %s %s is not in %s", strings.ToUpper(m), p, openAPIPath))
			}
		}
	}
	for p, ms := range doc.ops {
		if len(ms) == 0 {
			problems = append(problems, fmt.Sprintf("documented path %s has no operation", p))
		}
		if routes[p] == nil {
			if !routedOutsideTransport[p] {
				problems = append(problems, fmt.Sprintf("documented path %s is not routed", p))
			}
			continue
		}
		for m := range ms {
			if !routes[p][m] && !routes[p]["*"] {
				problems = append(problems, fmt.Sprintf("documented %s %s is not routed", strings.ToUpper(m), p))
			}
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestOpenAPIDocument checks the document's own consistency: version,
// resolvable $refs, responses and unique operation ids, and the spec's
// error codes in the Error schema.
func TestOpenAPIDocument(t *testing.T) {
	doc, err := parseOpenAPI(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.version, "3.0.") {
		t.Errorf("openapi version %q, want 3.0.x", doc.version)
	}
	for _, ref := range doc.refs {
		if !doc.components[ref] {
			t.Errorf("$ref #/components/%s is not defined", ref)
		}
	}
	for _, op := range doc.noResp {
		t.Errorf("operation %s has no responses", op)
	}
	ops := 0
	for _, ms := range doc.ops {
		ops += len(ms)
	}
	if len(doc.opIDs) != ops {
		t.Errorf("%d operations, %d distinct operationIds", ops, len(doc.opIDs))
	}
	for id, n := range doc.opIDs {
		if n > 1 {
			t.Errorf("operationId %s used %d times", id, n)
		}
	}
	if !doc.components["schemas/Error"] {
		t.Fatal("no Error schema")
	}
	raw, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range specErrorCodes {
		if !strings.Contains(string(raw), c) {
			t.Errorf("error code %s is not in the document", c)
		}
	}
}

// TestNormalizeTemplate covers the mux-to-OpenAPI template conversion.
func TestNormalizeTemplate(t *testing.T) {
	for in, want := range map[string]string{
		"/v1/keys":                       "/v1/keys",
		"/v1/providers/{id}":             "/v1/providers/{id}",
		"/v1/checkpoints/{n:[0-9]+}":     "/v1/checkpoints/{n}",
		"/v1/x/{n:[0-9]{1,5}}/export":    "/v1/x/{n}/export",
		"/v1/checkpoints/{n}/export-{b}": "/v1/checkpoints/{n}/export-{b}",
	} {
		if got := normalizeTemplate(in); got != want {
			t.Errorf("normalizeTemplate(%q) = %q, want %q", in, got, want)
		}
	}
}
