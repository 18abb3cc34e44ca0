package cognitojwt_test

// Every ```go block of README.md and the docs of snippetDocs is
// type-checked against the current API, so that a document cannot drift
// from the code.
//
// Convention: a block is a whole file (it starts with its package clause
// and has its own imports), whole declarations (it parses as the body of
// a Go file: funcs, types) or statements, which are checked as the body of
// a function. Either way it sees the imports of snippetImports and, in
// an enclosing scope, the variables of the prelude it names in an HTML
// comment on the line before the block:
//
//	<!-- snippet: lambda -->
//	```go
//
// Without such a comment the prelude is "default". A block may declare
// a name its prelude declares too (v, err := …): the block's own scope
// shadows it. "declared and not used" and "imported and not used" are
// not reported, since a snippet shows a part of a program.

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// snippetImports are visible to every snippet; a prelude may add more.
var snippetImports = []string{
	"context", "errors", "fmt", "log", "log/slog", "net/http", "os", "strings", "testing", "time",
	"github.com/cognitojwt/cognitojwt",
	"github.com/cognitojwt/cognitojwt/alb",
	"github.com/cognitojwt/cognitojwt/apigateway",
	"github.com/cognitojwt/cognitojwt/authz",
	"github.com/cognitojwt/cognitojwt/cognitotest",
	"github.com/cognitojwt/cognitojwt/issuer",
	"github.com/cognitojwt/cognitojwt/revocation",
	"github.com/cognitojwt/cognitojwt/web",
}

// snippetDocs are the documents whose snippets are checked.
var snippetDocs = []string{
	"README.md", "docs/cli.md", "docs/deployments.md", "docs/emulator.md", "docs/fleet.md",
	"docs/freshness.md", "docs/observability.md", "docs/web.md",
}

// Every document's snippets are checked, so that a new one does not escape
// the check unnoticed.
func TestEveryDocIsCheckedForSnippets(t *testing.T) {
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !slices.Contains(snippetDocs, f) {
			t.Errorf("%s is not in snippetDocs", f)
		}
	}
}

type snippetPrelude struct {
	// module is the directory of the module whose dependencies the snippet
	// sees; "" is the root module.
	module  string
	imports []string
	// decls are package-level declarations; locals are statements that
	// run before a statement snippet, in an enclosing block.
	decls, locals string
}

// defaultLocals are the variables every statement snippet may use.
const defaultLocals = `
var (
	t                             *testing.T
	ctx                           context.Context
	w                             http.ResponseWriter
	r                             *http.Request
	v, accessVerifier             *cognitojwt.Verifier
	api, apiHandler, adminHandler http.Handler
	logger                        *slog.Logger
	cfg                           cognitojwt.Config
	// an events.APIGatewayV2HTTPRequest, as far as the README uses it
	req struct {
		RequestContext struct {
			Authorizer struct{ JWT struct{ Claims map[string]string } }
		}
	}
	// the metrics of examples/prometheus
	verifications interface{ WithLabelValues(...string) interface{ Inc() } }
	latency       interface{ Observe(float64) }
	outcome       func(error) string
	cacheLabel    func(bool) string
	// a service's parts, as docs/web.md and docs/freshness.md name them
	mux                       *http.ServeMux
	account, admin, payments  http.Handler
	sessionKey                []byte
	pool, sub                 string
	ids                       []string
	claims                    *cognitojwt.Claims
	list                      *revocation.List
)
`

var snippetPreludes = map[string]snippetPrelude{
	"default": {locals: defaultLocals},
	// Service code against the AWS SDK, with the dependencies of the
	// module that tests the local pool with it.
	"aws-sdk": {module: "cognitolocal/awstest"},
	// The shared revocation list and session store on Redis.
	"redis": {
		module:  "redisstore",
		imports: []string{"github.com/redis/go-redis/v9", "github.com/cognitojwt/cognitojwt/redisstore"},
		locals:  defaultLocals,
	},
	// The online module's checks, with its dependencies.
	"online": {
		module:  "online",
		imports: []string{"github.com/cognitojwt/cognitojwt/online"},
		locals:  defaultLocals,
	},
	// The documentation of the library's own Hooks type.
	"hooks": {decls: `
type (
	VerifyOutcome = cognitojwt.VerifyOutcome
	JWKSFetch     = cognitojwt.JWKSFetch
)
`},
	// Lambda handlers, checked with examples/lambda-authorizer's
	// dependencies (aws-lambda-go), which the library does not have.
	"lambda": {
		module:  "examples/lambda-authorizer",
		imports: []string{"github.com/aws/aws-lambda-go/events", "github.com/aws/aws-lambda-go/lambda"},
		decls: `
func stageWildcard(methodARN string) string { return methodARN }

func newHandler(*cognitojwt.Verifier) func(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return nil
}
`,
	},
}

type docSnippet struct {
	file    string
	line    int // of the first line of code
	prelude string
	code    string
}

var snippetComment = regexp.MustCompile(`^<!-- snippet: ([a-z-]+) -->$`)

// docSnippets extracts the ```go blocks of README.md and docs/*.md.
func docSnippets(t *testing.T) []docSnippet {
	t.Helper()
	var out []docSnippet
	for _, name := range snippetDocs {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var cur *docSnippet
		prev := ""
		sc := bufio.NewScanner(bytes.NewReader(src))
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			switch {
			case cur == nil && strings.TrimSpace(line) == "```go":
				cur = &docSnippet{file: name, line: n + 1, prelude: "default"}
				if m := snippetComment.FindStringSubmatch(strings.TrimSpace(prev)); m != nil {
					cur.prelude = m[1]
				}
			case cur != nil && strings.TrimSpace(line) == "```":
				out = append(out, *cur)
				cur = nil
			case cur != nil:
				cur.code += line + "\n"
			}
			prev = line
		}
		if cur != nil {
			t.Fatalf("%s:%d: unterminated ```go block", name, cur.line-1)
		}
	}
	return out
}

func TestDocSnippetsCompile(t *testing.T) {
	snippets := docSnippets(t)
	if len(snippets) < 10 {
		t.Fatalf("found only %d Go snippets", len(snippets))
	}
	exports := map[string]map[string]string{} // module and imports → import path → export data file
	for _, s := range snippets {
		p, ok := snippetPreludes[s.prelude]
		if !ok {
			t.Errorf("%s:%d: unknown snippet prelude %q", s.file, s.line-1, s.prelude)
			continue
		}
		imports := append(append([]string(nil), snippetImports...), p.imports...)
		if f, err := parser.ParseFile(token.NewFileSet(), "", s.code, parser.ImportsOnly); err == nil {
			// A whole file: it brings its own imports.
			imports = imports[:0]
			for _, spec := range f.Imports {
				path, _ := strconv.Unquote(spec.Path.Value)
				imports = append(imports, path)
			}
		}
		key := p.module + "\x00" + strings.Join(imports, " ")
		if exports[key] == nil {
			exports[key] = exportData(t, p.module, imports)
		}
		for _, msg := range typeCheckSnippet(s, p, imports, exports[key]) {
			t.Errorf("%s", msg)
		}
	}
}

// typeCheckSnippet returns the snippet's type errors, positioned in its
// Markdown file.
func typeCheckSnippet(s docSnippet, p snippetPrelude, imports []string, exports map[string]string) []string {
	var src strings.Builder
	if strings.HasPrefix(s.code, "package ") {
		fmt.Fprintf(&src, "//line %s:%d\n%s", s.file, s.line, s.code)
		return checkSource(src.String(), exports)
	}
	src.WriteString("package snippet\n\nimport (\n")
	for _, imp := range imports {
		fmt.Fprintf(&src, "\t%q\n", imp)
	}
	src.WriteString(")\n")
	src.WriteString(p.decls)
	// A //line directive makes positions name the Markdown file.
	if _, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+s.code, 0); err == nil {
		fmt.Fprintf(&src, "\n//line %s:%d\n%s", s.file, s.line, s.code)
	} else {
		fmt.Fprintf(&src, "\nfunc _() {\n%s\n{\n//line %s:%d\n%s}\n}\n", p.locals, s.file, s.line, s.code)
	}
	return checkSource(src.String(), exports)
}

// checkSource type-checks one file with the packages of exports.
func checkSource(src string, exports map[string]string) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "snippet.go", src, parser.SkipObjectResolution)
	if err != nil {
		return []string{err.Error()}
	}
	var errs []string
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
			file, ok := exports[path]
			if !ok {
				return nil, fmt.Errorf("no export data for %s", path)
			}
			return os.Open(file)
		}),
		Error: func(err error) {
			msg := err.Error()
			if strings.Contains(msg, "declared and not used") || strings.Contains(msg, "imported and not used") {
				return
			}
			errs = append(errs, msg)
		},
	}
	_, _ = conf.Check(f.Name.Name, fset, []*ast.File{f}, nil)
	return errs
}

// exportData builds the packages (the go command's cache makes this cheap
// after `go vet` or a build) and returns where their export data is.
func exportData(t *testing.T, module string, imports []string) map[string]string {
	t.Helper()
	args := []string{"list"}
	dir := "."
	if module != "" {
		// A nested module's requirements may lag the root's: resolve them
		// in a copy of its go.mod so that the tree is never written.
		tmp := t.TempDir()
		for _, name := range []string{"go.mod", "go.sum"} {
			b, err := os.ReadFile(filepath.Join(module, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tmp, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		args = append(args, "-mod=mod", "-modfile="+filepath.Join(tmp, "go.mod"))
		dir = module
	}
	args = append(args, "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}")
	cmd := exec.Command("go", append(args, imports...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export in %s: %v\n%s", dir, err, stderr.String())
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, file, _ := strings.Cut(line, "\t")
		if file != "" {
			exports[path] = file
		}
	}
	return exports
}

// The README's test command is what CI's test step runs, word for word.
func TestCIRunsTheREADMETestCommand(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^(go test [^#\n]*?)\\s+#").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md shows no go test command")
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if want := "step_test() { " + string(m[1]) + "; }"; !bytes.Contains(ci, []byte(want)) {
		t.Fatalf(".ci/run does not contain %q", want)
	}
}
