package cognitojwt_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// screenLines is what a terminal shows at once: the root package's index
// must fit it, so that a newcomer reads the whole vocabulary in one
// screen (policies and guards live in package authz, issuer forms in
// package issuer, revocation lists in package revocation).
const screenLines = 45

// TestRootIndexFitsOneScreen counts the lines `go doc .` gives the root
// package's index: each const and var group, each function, each type
// with its constructors and typed constants.
func TestRootIndexFitsOneScreen(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/cognitojwt/cognitojwt")
	if err != nil {
		t.Fatal(err)
	}
	lines := len(p.Consts) + len(p.Vars) + len(p.Funcs)
	for _, typ := range p.Types {
		lines += 1 + len(typ.Consts) + len(typ.Vars) + len(typ.Funcs)
	}
	t.Logf("the root index is %d lines", lines)
	if lines > screenLines {
		t.Fatalf("the root package's index is %d lines, more than one screen (%d): move a vocabulary into a package of its own", lines, screenLines)
	}
}
