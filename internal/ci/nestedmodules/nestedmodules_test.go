// Package nestedmodules checks the modules under examples/ and bench/,
// which the root module's ./... does not reach.
package nestedmodules

import (
	"testing"

	"github.com/cognitojwt/cognitojwt/internal/ci"
)

func TestNestedModulesBuildVetAndTest(t *testing.T) {
	ci.RunScript(t, "examples")
}
