// Package nestedmodules checks the modules under examples/ and bench/,
// which the root module's ./... does not reach.
package nestedmodules

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/internal/ci"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNestedModulesBuildVetAndTest(t *testing.T) {
	ci.RunScript(t, "examples")
}
