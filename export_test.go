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
