package cognitojwt

import (
	"sync"
	"time"
)

// RevocationList decides whether a token that passed every other check has
// been revoked since it was issued. Verify consults it after the signature,
// on cache hits too, so it must be fast and must not block on the network:
// a list shared across a fleet keeps a local replica (see the redisstore
// module).
type RevocationList interface {
	Revoked(c *Claims) bool
}

// Revocations is an in-memory RevocationList, safe for concurrent use.
type Revocations struct {
	mu       sync.RWMutex
	jtis     map[string]struct{}
	families map[string]struct{}
	subjects map[string]time.Time
}

// NewRevocations returns an empty list.
func NewRevocations() *Revocations {
	return &Revocations{
		jtis:     map[string]struct{}{},
		families: map[string]struct{}{},
		subjects: map[string]time.Time{},
	}
}

// RevokeJTI revokes one token by its jti.
func (r *Revocations) RevokeJTI(jti string) {
	r.mu.Lock()
	r.jtis[jti] = struct{}{}
	r.mu.Unlock()
}

// RevokeFamily revokes every token issued from one refresh token: the
// tokens whose origin_jti is originJTI.
func (r *Revocations) RevokeFamily(originJTI string) {
	r.mu.Lock()
	r.families[originJTI] = struct{}{}
	r.mu.Unlock()
}

// RevokeSubject revokes every token of the user sub issued before the
// moment before.
func (r *Revocations) RevokeSubject(sub string, before time.Time) {
	r.mu.Lock()
	if cur, ok := r.subjects[sub]; !ok || before.After(cur) {
		r.subjects[sub] = before
	}
	r.mu.Unlock()
}

// Revoked reports whether c matches a revocation.
func (r *Revocations) Revoked(c *Claims) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if _, ok := r.jtis[c.JWTID]; ok && c.JWTID != "" {
		return true
	}
	if _, ok := r.families[c.OriginJTI]; ok && c.OriginJTI != "" {
		return true
	}
	if before, ok := r.subjects[c.Subject]; ok && c.Subject != "" && c.IssuedAt.Before(before) {
		return true
	}
	return false
}
