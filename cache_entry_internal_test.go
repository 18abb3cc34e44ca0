package cognitojwt

import (
	"runtime"
	"strings"
	"testing"

	"github.com/cognitojwt/cognitojwt/internal/view"
)

// TestCacheEntryIsOneObject: an entry and its copy of the token are one
// allocation of exactly the size class chosen for the token's length, up
// to the largest inline class; a longer token costs the entry and a
// copy apart. It fails when cacheEntry grows past entrySize (the largest
// token of a class would spill into the next class), and when
// the copy shares the caller's bytes.
func TestCacheEntryIsOneObject(t *testing.T) {
	classes := []int{512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096}
	room := func(class int) int {
		if class <= 512 {
			return class - entrySize
		}
		return class - entrySize - mallocHeader
	}
	for _, class := range classes {
		n := room(class)
		buf := []byte(strings.Repeat("t", n))
		token := view.String(buf)
		var e *cacheEntry
		allocs, bytes := allocations(func() { e = newCacheEntry(token) })
		if allocs != 1 || bytes != uint64(class) {
			t.Errorf("a %d-byte token: %d allocations of %d bytes, want 1 of %d", n, allocs, bytes, class)
		}
		buf[0] = 'X'
		if e.token != strings.Repeat("t", n) {
			t.Fatalf("a %d-byte token: the entry shares the caller's bytes", n)
		}
	}
	n := room(classes[len(classes)-1]) + 1
	long := strings.Repeat("t", n)
	if allocs, _ := allocations(func() { newCacheEntry(long) }); allocs != 2 {
		t.Errorf("a %d-byte token: %d allocations, want 2: the entry and the copy", n, allocs)
	}
}

// allocations reports how many heap objects f allocates, and their bytes
// by size class, over one call, on one P.
func allocations(f func()) (objects, bytes uint64) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	const runs = 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.Mallocs - before.Mallocs) / runs, (after.TotalAlloc - before.TotalAlloc) / runs
}
