package bridge_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/bridge"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRootSetsClaimsPayload: once the root package is initialised, the
// payload stored through the bridge is what Claims reads.
func TestRootSetsClaimsPayload(t *testing.T) {
	c := new(cognitojwt.Claims)
	bridge.SetClaimsPayload(c, `{"custom:tenant_id":"acme"}`)
	if got, ok := c.Attribute("tenant_id"); !ok || got != "acme" {
		t.Fatalf("Attribute = %q, %v", got, ok)
	}
}
