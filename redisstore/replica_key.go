package redisstore

import "github.com/cognitojwt/cognitojwt"

// key is c's revocation key: its ids' hashes under the replica's seeds,
// which never change, so a key stays good for the replica's life.
func (r *replica) key(c *cognitojwt.Claims) cognitojwt.RevocationKey {
	return cognitojwt.RevocationKey{Owner: r.h, Sums: r.h.Sums(c.JWTID, c.OriginJTI, c.Subject)}
}

// reasonKeyed is reason for claims whose key k is, read instead of
// hashing c's ids; a key the replica did not make is not trusted.
func (r *replica) reasonKeyed(c *cognitojwt.Claims, k *cognitojwt.RevocationKey) cognitojwt.RevocationReason {
	if r.n.Load() == 0 || c == nil {
		return cognitojwt.NotRevoked
	}
	if k == nil || k.Owner != any(r.h) {
		return r.reason(c)
	}
	return r.decide(c, r.set.Filter(), k.Sums[0], k.Sums[1], k.Sums[2], &k.Sums)
}
