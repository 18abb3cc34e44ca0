package cognitojwt

import "context"

// Check reports whether token verifies now, deciding exactly as Verify
// does (every rule, the key set, the revocation list, OnVerify's report)
// but returning no claims: for a caller that holds the claims already,
// such as a session that verified its tokens when it opened, or that
// needs only the answer. A token the cache knows then costs its hash, the
// comparison and the clock, and allocates nothing unless Config.Revocations
// is set (the list gets a copy of the claims, as with Verify). Any other
// token is verified as by Verify. The error is Verify's.
func (v *Verifier) Check(ctx context.Context, token string) error {
	_, hit, miss, err := v.fromCache(token, nil, false)
	if hit {
		return err
	}
	_, err = v.verifyObserved(ctx, token, nil, nil, miss)
	return err
}
