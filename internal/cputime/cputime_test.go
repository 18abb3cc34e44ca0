package cputime_test

import (
	"crypto/sha256"
	"runtime"
	"testing"

	"github.com/cognitojwt/cognitojwt/internal/cputime"
)

// TestProcessCountsWorkDone burns CPU on this goroutine and expects the
// process's CPU time to have grown by at least part of it: a reading
// that did not move, or went back, would make every CPU metric wrong.
func TestProcessCountsWorkDone(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		_, ok := cputime.Process()
		if ok {
			t.Fatal("Process claims a reading where the system gives none")
		}
		return
	}
	before, ok := cputime.Process()
	if !ok {
		t.Fatal("no CPU time on a unix system")
	}
	sum := [32]byte{}
	for i := 0; i < 200_000; i++ {
		sum = sha256.Sum256(sum[:])
	}
	after, ok := cputime.Process()
	if !ok {
		t.Fatal("no CPU time on the second reading")
	}
	if after <= before {
		t.Fatalf("CPU time did not grow over 200,000 SHA-256 blocks: %v then %v", before, after)
	}
}
