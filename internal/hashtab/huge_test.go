package hashtab

import (
	"testing"
	"unsafe"
)

// A slice of a huge page or more starts on a huge page boundary and ends
// on one, with room for what was asked; a smaller one is what make
// returns.
func TestHugeSliceIsAlignedToHugePages(t *testing.T) {
	if small := hugeSlice[uint64](100); len(small) != 100 {
		t.Fatalf("a small slice has %d elements, want 100", len(small))
	}
	if !hugePagesAdvised {
		t.Skip("no huge pages to align to on this system")
	}
	for _, n := range []int{hugePage / 16, hugePage/16 + 1, 5*hugePage/16 - 3} {
		s := hugeSlice[[2]uint64](n)
		start := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
		bytes := uintptr(len(s)) * 16
		if len(s) < n || start%hugePage != 0 || bytes%hugePage != 0 || bytes-uintptr(n)*16 >= hugePage {
			t.Fatalf("hugeSlice(%d): %d elements at %#x", n, len(s), start)
		}
	}
}
