// Package view converts between strings and byte slices without copying,
// for the hot paths that decode, hash and scan tokens. It is the one place
// in the module's verifiers that uses unsafe.
package view

import "unsafe"

// Bytes views s as bytes without copying, for callees that only read
// their argument (decoders, hashes). Writing to the result is undefined.
func Bytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// String views b as a string without copying. The caller must not change
// b afterwards: the string would change with it.
func String(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
