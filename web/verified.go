package web

import (
	"context"
	"sync/atomic"

	"github.com/cognitojwt/cognitojwt"
)

// verifiedTokens keeps what this instance verified of an opened session's
// tokens, beside the opened cookie (see openCache), so that the session's
// later requests recheck each token with Verifier.Check, which decides as
// Verify does (expiry, key set, revocation list) but on a cache hit makes
// no claims, and copy the claims kept here into their own state. Claims
// kept here are never handed out: requests get copies.
type verifiedTokens struct {
	id, access atomic.Pointer[heldClaims]
}

// heldClaims are the claims verified for token.
type heldClaims struct {
	token  string
	claims *cognitojwt.Claims
}

// idSlot and accessSlot are where s's verified claims are kept, or nil
// for a session not opened through the cache (a stored session, or one
// just refreshed).
func (s *session) idSlot() *atomic.Pointer[heldClaims] {
	if s.verified == nil {
		return nil
	}
	return &s.verified.id
}

func (s *session) accessSlot() *atomic.Pointer[heldClaims] {
	if s.verified == nil {
		return nil
	}
	return &s.verified.access
}

// recheck answers for token as v.Verify would. When slot holds claims
// verified for this very token, the token is only checked again and those
// claims are returned with shared set: the caller copies them before
// handing them out. Otherwise the token is verified, and its claims (a
// copy) kept in slot for the session's next requests.
func recheck(ctx context.Context, v *cognitojwt.Verifier, slot *atomic.Pointer[heldClaims], token string) (c *cognitojwt.Claims, shared bool, err error) {
	if slot != nil {
		// The slot belongs to the opened session whose token this is, so
		// the comparison is of one string with itself; it guards against a
		// session whose tokens changed on the way.
		if h := slot.Load(); h != nil && h.token == token {
			if err := v.Check(ctx, token); err != nil {
				return nil, false, err
			}
			return h.claims, true, nil
		}
	}
	c, err = v.Verify(ctx, token)
	if err == nil && slot != nil {
		own := *c
		slot.Store(&heldClaims{token: token, claims: &own})
	}
	return c, false, err
}
