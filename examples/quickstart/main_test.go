package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The offline demo checks every answer itself; running it here keeps the
// README's first command honest.
func TestDemo(t *testing.T) {
	if err := demo(); err != nil {
		t.Fatal(err)
	}
}
