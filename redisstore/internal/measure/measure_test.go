package measure

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPercentileIsTheNearestRank(t *testing.T) {
	sorted := make([]time.Duration, 100)
	for i := range sorted {
		sorted[i] = time.Duration(i+1) * time.Millisecond
	}
	for p, want := range map[int]time.Duration{0: time.Millisecond, 50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := Percentile(sorted, p); got != want {
			t.Errorf("p%d = %s, want %s", p, got, want)
		}
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one value = %s", got)
	}
}

func TestMsPrintsHundredths(t *testing.T) {
	if got := Ms(1234567 * time.Nanosecond); got != "1.23 ms" {
		t.Errorf("got %q", got)
	}
}
