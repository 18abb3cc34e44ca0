package cognitojwt

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every sentinel of the package has a code in errorKinds: a new Err
// variable without one fails here, before it reaches a metric label as
// "other".
func TestEverySentinelHasAnErrorCode(t *testing.T) {
	sentinels := sentinelMessages(t)
	if len(sentinels) < 15 {
		t.Fatalf("found only %d sentinels: %v", len(sentinels), sentinels)
	}
	listed := map[string]string{}
	for _, k := range errorKinds {
		listed[k.err.Error()] = k.code
	}
	for name, msg := range sentinels {
		if msg != "" && listed[msg] == "" {
			t.Errorf("%s has no entry in errorKinds, so ErrorCode reports it as \"other\"", name)
		}
	}
	if len(errorKinds) != len(sentinels) {
		t.Errorf("errorKinds has %d entries for %d sentinels", len(errorKinds), len(sentinels))
	}
}

// Codes are metric labels and log fields: short, snake_case, distinct.
func TestErrorCodesAreDistinctSnakeCase(t *testing.T) {
	shape := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[string]bool{}
	for _, k := range errorKinds {
		if !shape.MatchString(k.code) || k.code == "other" {
			t.Errorf("code %q of %v is not a distinct snake_case word", k.code, k.err)
		}
		if seen[k.code] {
			t.Errorf("code %q used twice", k.code)
		}
		seen[k.code] = true
	}
}

// sentinelMessages parses the package's non-test files for exported Err
// variables and returns their errors.New messages by name ("" for those
// initialised otherwise).
func sentinelMessages(t *testing.T) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !id.IsExported() || !strings.HasPrefix(id.Name, "Err") || i >= len(vs.Values) {
						continue
					}
					// A sentinel defined elsewhere (ErrCanceled = errs.Canceled)
					// counts, with its message unknown here.
					found[id.Name] = ""
					call, ok := vs.Values[i].(*ast.CallExpr)
					if !ok || len(call.Args) != 1 {
						continue
					}
					if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "New" {
						continue
					}
					lit, ok := call.Args[0].(*ast.BasicLit)
					if !ok {
						continue
					}
					msg, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					found[id.Name] = msg
				}
			}
		}
	}
	return found
}
