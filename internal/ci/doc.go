// Package ci holds tests that drive the repository's own scripts, so that
// the one test command also builds the nested modules and runs a short
// fuzzing pass. Run with -short to skip them while iterating.
package ci

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// RunScript runs a script from .ci with the repository root as working
// directory, streaming its output into the test log.
func RunScript(t *testing.T, script string, args ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("bash", append([]string{filepath.Join(".ci", script)}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf(".ci/%s: %v", script, err)
	}
}
