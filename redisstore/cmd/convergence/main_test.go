package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRunSmall runs every part of the program on a small fleet, so the
// program that produces the published figures keeps working.
func TestRunSmall(t *testing.T) {
	if _, err := redisserver.Binary(); errors.Is(err, redisserver.ErrNotInstalled) {
		t.Skip("SKIPPING: needs a real redis-server and none is installed (apt-get install redis-server)")
	}
	var out strings.Builder
	if err := run(&out, "", 3, 20, 200, 300*time.Millisecond, 1); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"### Propagation", "### Missed messages", "### Redis killed and restarted"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// The propagation row ends with the revocations that never reached
	// every instance: none may.
	lines := strings.Split(got, "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "| p50 |") && i+2 < len(lines) {
			if f := strings.Split(lines[i+2], "|"); len(f) < 7 || strings.TrimSpace(f[5]) != "0" {
				t.Errorf("revocations that never converged: %s", lines[i+2])
			}
		}
	}
	// The restart row is "| round | revocations | acknowledged | queued |
	// lost | converged |": lost must be 0.
	rows := 0
	for _, line := range strings.Split(got, "\n") {
		if !strings.HasPrefix(line, "| 1 |") {
			continue
		}
		rows++
		if f := strings.Split(line, "|"); len(f) < 7 || strings.TrimSpace(f[5]) != "0" {
			t.Errorf("revocations lost across the restart: %s", line)
		}
	}
	if rows != 1 {
		t.Errorf("%d restart rows, want 1:\n%s", rows, got)
	}
}
