package cognitojwt

import (
	"context"
	"time"
)

// Check reports whether token verifies now, deciding exactly as Verify
// does (every rule, the key set, the revocation list, OnVerify's report)
// but returning no claims: for a caller that holds the claims already,
// such as a session that verified its tokens when it opened, or that
// needs only the answer. A token the cache knows then costs its hash, the
// comparison and the clock, and allocates nothing unless Config.Revocations
// is set (the list gets a copy of the claims, as with Verify). Any other
// token is verified as by Verify. The error is Verify's.
func (v *Verifier) Check(ctx context.Context, token string) error {
	if v.cache != nil && token != "" && len(token) <= v.maxSize {
		var start time.Time
		if v.hooks.OnVerify != nil {
			start = time.Now()
		}
		if _, shared := v.probeCache(token, v.now()); shared != nil {
			var err error
			if !v.revocations.Empty() {
				err = v.describe(v.checkRevoked(shared.copy()))
			}
			if v.hooks.OnVerify != nil {
				v.hooks.OnVerify(VerifyOutcome{Err: err, Duration: time.Since(start), CacheHit: true, TokenUse: v.use})
			}
			return err
		}
	}
	_, err := v.verifyObserved(ctx, token, nil, nil)
	return err
}
