package hashtab

import "unsafe"

// hugeSlice returns a slice of n zeroed elements, in huge pages where the
// system offers them (see adviseHugePages).
func hugeSlice[T any](n int) []T {
	s := make([]T, n)
	if n > 0 {
		adviseHugePages(unsafe.Pointer(unsafe.SliceData(s)), uintptr(n)*unsafe.Sizeof(s[0]))
	}
	return s
}
