package cognitojwt

// RevocationList decides whether a token that passed every other check has
// been revoked since it was issued, and why. Verify consults it after the
// signature, on cache hits too, so it must be fast and must not block on
// the network; a list that hashes the token's ids may also implement
// KeyedRevocationList, so that a hit need not hash them again. The
// revocation package has an in-memory list; a list shared across a fleet
// keeps a local replica (see the redisstore module).
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

// KeyedRevocationList is a RevocationList that can answer for a token it
// has seen before without hashing its ids again. A list's lookup hashes
// the token's jti, origin_jti and sub under seeds of its own (16-20 ns
// each), then reads a few words of memory; a Verifier that caches a
// token asks the list once, when it caches it, for the token's
// RevocationKey, keeps the key beside the cached claims, and on every
// cache hit asks RevocationReasonKeyed, which reads the key's hashes
// instead of computing them. The answer is the same: the key holds
// hashes, not the list's answer, so a revocation made after the token was
// cached refuses it on its next hit.
//
// Implementing it is optional: a RevocationList that does not is asked
// RevocationReason on every hit, as before. revocation.List and
// redisstore.Revocations implement it.
type KeyedRevocationList interface {
	RevocationList
	// RevocationKey returns c's key: the hashes of c's ids that the
	// list's lookups compute, and what identifies the seeds they were
	// computed under. It may return the zero key (a list with nothing to
	// hash with yet), which RevocationReasonKeyed does not trust. It must
	// be safe to call concurrently with everything else.
	RevocationKey(c *Claims) RevocationKey
	// RevocationReasonKeyed is RevocationReason(c) for claims whose key
	// k is, a key RevocationKey made for claims with c's jti,
	// origin_jti and sub; it reads k and never writes it. A key the list
	// did not make under the seeds it hashes with now (another list's,
	// one made before the list drew new seeds, the zero key, nil) is not
	// trusted: the list then hashes c's ids as RevocationReason does.
	RevocationReasonKeyed(c *Claims, k *RevocationKey) RevocationReason
}

// RevocationKey is a KeyedRevocationList's hashes of one token's ids,
// made once by RevocationKey and read by RevocationReasonKeyed. Its
// contents are the list's: a caller keeps it beside the claims it was
// made for and hands it back, and never makes or changes one. The zero
// value is no key.
type RevocationKey struct {
	// Owner identifies the list and the seeds the hashes were computed
	// under: a list sets it to a pointer of its own that changes
	// whenever its seeds do, and trusts a key only when Owner is that
	// pointer, so that a key never meets hashes made under other seeds.
	Owner any
	// Sums are the hashes, laid out as the list likes.
	Sums [5]uint64
}
