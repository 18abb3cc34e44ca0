package cognitojwt

// RevocationList decides whether a token that passed every other check has
// been revoked since it was issued, and why. Verify consults it after the
// signature, on cache hits too, so it must be fast and must not block on
// the network. The revocation package has an in-memory list; a list shared
// across a fleet keeps a local replica (see the redisstore module).
//
// The reason matters to the client: a token refused by subject is
// answered with a description that says a refresh or a new sign-in will
// fix it, where an RFC 6750 client told only "revoked" may sign its user
// out. A list that knows no better answers RevokedToken; a reason this
// package does not know is a plain revocation.
type RevocationList interface {
	RevocationReason(c *Claims) RevocationReason
}

// RevocationReason is why a RevocationList refuses a token, or
// NotRevoked.
type RevocationReason uint8

// Revocation reasons.
const (
	// NotRevoked: no entry matches the token.
	NotRevoked RevocationReason = iota
	// RevokedToken: the token's own jti is listed.
	RevokedToken
	// RevokedFamily: the token's origin_jti is listed: its refresh token
	// was revoked or its device signed out, so a refresh fails too.
	RevokedFamily
	// RevokedSubject: the token was issued before its subject's cut-off
	// (attributes or groups changed, global sign-out, account disabled). A
	// token issued after the cut-off passes, so a refresh or a new sign-in
	// fixes it when the account is still usable.
	RevokedSubject
)
