package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestStory runs the example end to end: the old token is refused by both
// instances after the upgrade, with a description that asks for a
// refresh, and the refreshed token is admitted by both.
func TestStory(t *testing.T) {
	if _, err := redisserver.Binary(); errors.Is(err, redisserver.ErrNotInstalled) {
		t.Skip("SKIPPING: the fleet example needs a real redis-server and none is installed (apt-get install redis-server)")
	}
	var out strings.Builder
	if err := run(context.Background(), "", &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"api-1: signed in token admitted: plan free",
		"api-2: signed in token admitted: plan free",
		"api-1: old token refused: 401",
		"api-2: old token refused: 401",
		"api-1: refreshed token admitted: plan premium",
		"api-2: refreshed token admitted: plan premium",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the story lacks %q:\n%s", want, got)
		}
	}
	// The refusal is RFC 6750's invalid_token and tells the client that a
	// refresh fixes it.
	for _, line := range strings.Split(got, "\n") {
		if strings.Contains(line, "old token refused") && (!strings.Contains(line, `error="invalid_token"`) || !strings.Contains(line, "refresh")) {
			t.Errorf("the refusal does not ask for a refresh: %s", line)
		}
	}
}
