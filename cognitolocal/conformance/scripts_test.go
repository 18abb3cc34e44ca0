package conformance

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// scriptCase is one case of a client's script (js/*.mjs, py/*.py), run
// against a dev-issuer of its own.
type scriptCase struct {
	name string
	// heldOut names a behaviour Cognito documents that the local pool
	// does not have yet. Such a case is kept out of the suite, loudly,
	// until the pool has it; CONFORMANCE_HELD_OUT=1 runs it anyway.
	heldOut string
	// issuerArgs are extra dev-issuer flags.
	issuerArgs []string
	// after checks in Go what the script reported on its RESULT line.
	after func(t *testing.T, iss *issuer, result map[string]any)
}

// runCase runs f as the subtest name, unless heldOut names a behaviour the
// pool lacks: then the case is logged loudly as held out and not run
// (CONFORMANCE_HELD_OUT=1 runs it anyway).
func runCase(t *testing.T, label, name, heldOut string, f func(t *testing.T)) {
	t.Helper()
	if heldOut != "" && os.Getenv("CONFORMANCE_HELD_OUT") == "" {
		t.Logf("########## HELD OUT %s: the local pool lacks %s ##########", label, heldOut)
		return
	}
	t.Run(name, f)
}

// runScriptCases runs each case as `INTERPRETER SCRIPT CASE`. The table
// must name exactly the cases the script defines (`SCRIPT --list`), so
// that no case of a script goes unrun unnoticed.
func runScriptCases(t *testing.T, interpreter, script string, cases []scriptCase) {
	t.Helper()
	list := exec.Command(interpreter, script, "--list")
	list.Env = os.Environ()
	out, err := list.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s --list: %v\n%s", filepath.Base(interpreter), script, err, stderr)
	}
	defined := strings.Fields(string(out))
	var named []string
	for _, c := range cases {
		named = append(named, c.name)
	}
	slices.Sort(defined)
	slices.Sort(named)
	if !slices.Equal(defined, named) {
		t.Fatalf("%s defines the cases %v but the table names %v", script, defined, named)
	}
	for _, c := range cases {
		runCase(t, script+" "+c.name, c.name, c.heldOut, func(t *testing.T) {
			iss := startIssuer(t, c.issuerArgs...)
			stdout, stderr, err := iss.run(t, "", interpreter, script, c.name)
			if err != nil {
				t.Fatalf("%s %s %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(interpreter), script, c.name, err, stdout, stderr)
			}
			if c.after == nil {
				return
			}
			var result map[string]any
			for _, line := range strings.Split(stdout, "\n") {
				if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
					if err := json.Unmarshal([]byte(rest), &result); err != nil {
						t.Fatalf("RESULT line: %v\n%s", err, rest)
					}
				}
			}
			if result == nil {
				t.Fatalf("%s %s printed no RESULT line\nstdout:\n%s", script, c.name, stdout)
			}
			c.after(t, iss, result)
		})
	}
}
