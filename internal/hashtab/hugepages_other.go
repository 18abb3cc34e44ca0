//go:build !linux

package hashtab

import "unsafe"

// hugePagesAdvised is whether adviseHugePages can ask for huge pages.
const hugePagesAdvised = false

// adviseHugePages does nothing where there is no madvise(MADV_HUGEPAGE)
// to ask for huge pages with.
func adviseHugePages(unsafe.Pointer, uintptr) {}
