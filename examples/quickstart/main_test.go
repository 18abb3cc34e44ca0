package main

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The offline demo checks every answer itself; running it here keeps the
// README's first command honest.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := demo(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	report, last := strings.Join(lines[:len(lines)-3], "\n"), strings.Join(lines[len(lines)-3:], "\n")
	// Nothing points at the demo's servers, which are gone once it exits.
	if strings.Contains(report, "http://") {
		t.Errorf("the demo names a server address:\n%s", report)
	}
	for _, want := range []string{"examples/quickstart/main.go", "dev-issuer", "-issuer", "README.md"} {
		if !strings.Contains(last, want) {
			t.Errorf("the last three lines do not mention %q:\n%s", want, last)
		}
	}
}
