package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/redisstore/internal/measure"
	"github.com/cognitojwt/cognitojwt/redisstore/redisserver"
)

func TestMain(m *testing.M) {
	redis.SetLogger(measure.QuietLogger{}) // the crash runs make thousands of failed dials
	goleak.VerifyTestMain(m)
}

// TestRunSmall runs every measurement on a small fleet, so that the
// program behind the published figures keeps working; the thresholds
// themselves are checked by the fleet step of .ci/run on the full run.
func TestRunSmall(t *testing.T) {
	if _, err := redisserver.Binary(); errors.Is(err, redisserver.ErrNotInstalled) {
		t.Skip("SKIPPING: needs a real redis-server and none is installed (apt-get install redis-server)")
	}
	var out strings.Builder
	// The stall outlasts the resync interval plus the timeout (2 s), the
	// bound within which every instance reports it.
	res, err := run(&out, config{instances: 3, samples: 20, rate: 200, rounds: 1, restore: 300, resync: 20_000,
		stall: 2500 * time.Millisecond, steps: "propagation,crashes,stall,restore,resync,web"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"### Propagation", "### Redis killed", "### Redis stalled", "### Redis restarted empty", "### Resynchronisation", "### Web pages"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// What the program promises whatever the machine's speed.
	if res.neverConverged != 0 || res.lostAcked != [2]int{} || res.lostQueued != [2]int{} {
		t.Errorf("revocations lost or never converged:\n%s", got)
	}
	if res.restorers != 1 || res.cutOff != 0 || res.publishes > 2*300 {
		t.Errorf("the restore: %d restorers, %d cut off, %d publishes:\n%s", res.restorers, res.cutOff, res.publishes, got)
	}
	if res.stallReported != 3 {
		t.Errorf("the stall reported on %d of 3 instances:\n%s", res.stallReported, got)
	}
	if res.webLongest == 0 {
		t.Errorf("no web page measured:\n%s", got)
	}
	if _, err := run(&out, config{steps: "nonsense"}); err == nil {
		t.Error("an unknown step was accepted")
	}
}
