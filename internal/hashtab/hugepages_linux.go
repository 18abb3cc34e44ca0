package hashtab

import (
	"syscall"
	"unsafe"
)

// hugePagesAdvised is whether adviseHugePages can ask for huge pages.
const hugePagesAdvised = true

// madvCollapse is MADV_COLLAPSE (Linux 6.1), which the syscall package
// does not name.
const madvCollapse = 25

// adviseHugePages asks Linux to back the whole huge pages inside the n
// bytes at p with transparent huge pages. A table of a million entries
// spans tens of megabytes: in 4 KiB pages each lookup lands on a page of
// its own, whose translation the TLB rarely holds, and a page walk (two
// dimensional under a hypervisor) costs more than the lookup itself. The
// Go heap does not ask for huge pages, and most distributions set
// /sys/kernel/mm/transparent_hugepage/enabled to "madvise", so without
// this call a table never gets them.
//
// MADV_HUGEPAGE makes the pages faulted in from now on huge; the memory
// may already be faulted in (the heap reuses and zeroes it), so
// MADV_COLLAPSE then converts what is there, synchronously, before the
// table is filled and published. Both are hints: an older kernel, THP
// disabled or no free huge page leaves ordinary pages, which only cost
// speed. The range lies inside the table's own allocation, every byte of
// which the table uses, so no other object's memory is affected and no
// page is made larger than what is used of it.
func adviseHugePages(p unsafe.Pointer, n uintptr) {
	start := (uintptr(p) + hugePage - 1) &^ (hugePage - 1)
	end := (uintptr(p) + n) &^ (hugePage - 1)
	if end <= start {
		return // no whole huge page inside: nothing to gain
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start)
	if syscall.Madvise(b, syscall.MADV_HUGEPAGE) == nil {
		_ = syscall.Madvise(b, madvCollapse)
	}
}
