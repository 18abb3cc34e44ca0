// Package fuzzsmoke runs every fuzz target briefly; .ci/fuzz with a longer
// duration runs them for real.
package fuzzsmoke

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/internal/ci"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEveryFuzzTargetBriefly(t *testing.T) {
	ci.RunScript(t, "fuzz", "15s")
}
