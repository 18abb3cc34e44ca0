package cognitojwt

// RevocationList decides whether a token that passed every other check has
// been revoked since it was issued. Verify consults it after the signature,
// on cache hits too, so it must be fast and must not block on the network.
// The revocation package has an in-memory list; a list shared across a
// fleet keeps a local replica (see the redisstore module).
type RevocationList interface {
	Revoked(c *Claims) bool
}

// RevocationReason is why a revocation list refuses a token.
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

// RevocationReasoner is a RevocationList that can say why it refuses a
// token. Verify calls RevocationReason instead of Revoked when the list
// has it, so that the client of a token refused by subject is told that a
// refresh or a new sign-in will fix it (an RFC 6750 client that is told
// only "revoked" may sign its user out). Revoked must agree with it:
// Revoked(c) == (RevocationReason(c) != NotRevoked).
type RevocationReasoner interface {
	RevocationList
	RevocationReason(c *Claims) RevocationReason
}
