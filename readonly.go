package cognitojwt

import "unsafe"

// readOnlyBytes views s as bytes without copying, for callees that only
// read their argument (decoders, hashes). Writing to the result is undefined.
func readOnlyBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
