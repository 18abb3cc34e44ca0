package hashtab

import "unsafe"

// hugePage is the size of a transparent huge page on the platforms Go
// supports (x86-64 and arm64 with 4 KiB base pages).
const hugePage = 2 << 20

// hugeSlice returns a slice of at least n zeroed elements, in huge pages
// where the system offers them (see adviseHugePages). The kernel backs
// only whole, aligned huge pages, and the heap aligns a large allocation
// to its own 8 KiB pages only, so a slice of a few megabytes made as usual
// keeps a good part of itself, often most, on small pages, each a TLB miss
// for the lookups that land there. A slice of a huge page or more is
// therefore carved from an allocation one huge page larger, from its first
// huge page boundary, and rounded up to whole huge pages, which only adds
// room (more slots, more filter bits). That costs one huge page of memory
// per slice, a few bytes per entry of the lists that are that large.
func hugeSlice[T any](n int) []T {
	size := int(unsafe.Sizeof(*new(T)))
	if !hugePagesAdvised || size == 0 || hugePage%size != 0 || n*size < hugePage {
		return make([]T, n)
	}
	per := hugePage / size
	n = (n + per - 1) / per * per
	s := make([]T, n+per)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	skip := int((hugePage-start%hugePage)%hugePage) / size
	s = s[skip : skip+n : skip+n]
	adviseHugePages(unsafe.Pointer(unsafe.SliceData(s)), uintptr(n*size))
	return s
}
