package cognitojwt

// CachedTokens exposes the size of the verified-token cache to the
// external tests, which need cognitotest and so cannot live in this
// package.
func CachedTokens(v *Verifier) int {
	if v.cache == nil {
		return 0
	}
	return v.cache.len()
}

// LockKeySource takes the lock that starting or finishing a JWKS fetch
// takes, and returns its release: tests show that the hot path never
// waits for it.
func LockKeySource(v *Verifier) (unlock func()) {
	return v.keys.src.Lock()
}

// ErrorKind exposes the sentinel ErrorCode names, for tests that compare
// kinds.
func ErrorKind(err error) error { return errorKind(err) }
