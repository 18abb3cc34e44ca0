package cognitojwt

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
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

// Defaults for RevocationsConfig fields left zero.
const (
	// DefaultRevocationMaxAge is the longest a Cognito access or ID token
	// lives: one day.
	DefaultRevocationMaxAge = 24 * time.Hour
	// DefaultMaxRevocations bounds a list's entries; a full list takes
	// about 125 MB (see BenchmarkRevocationsMemory).
	DefaultMaxRevocations = 1_000_000
)

// RevocationsConfig configures a Revocations list. The zero value of every
// field is a sound default.
type RevocationsConfig struct {
	// MaxAge is how long an entry lasts after the moment it refers to:
	// after its revocation for a jti or a family, after its cut-off for a
	// subject. It must be at least the longest lifetime of the tokens
	// verified (Cognito allows up to a day for access and ID tokens, the
	// default), or a revoked token could outlive its entry.
	MaxAge time.Duration
	// MaxEntries bounds the list (default DefaultMaxRevocations). When a
	// revocation would exceed it, the oldest entries are dropped and
	// counted by Dropped: size it for the revocations expected within
	// MaxAge, with room to spare.
	MaxEntries int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Revocations is an in-memory RevocationList, safe for concurrent use. The
// zero value is an empty list with the default configuration. A nil
// *Revocations reads as an empty list, so that a Config holding one works,
// and ignores revocations: make lists with NewRevocations.
//
// Entries remove themselves: each write first drops the entries whose
// MaxAge has passed, since no token they match can still be valid, so the
// list never holds more than the revocations of the last MaxAge, and never
// more than MaxEntries whatever the rate of revocations. Nothing runs in
// the background and there is nothing to close. (Until the next write, an
// entry past its MaxAge still refuses the tokens it matches, which are
// expired anyway.)
//
// Lookups take no lock in the common case: a filter of one bit per entry
// and kind, read with atomic loads, answers "not listed" for almost every
// token, and only a token whose bits are set is looked up in the maps.
// The list keeps no strings: an id is kept as two 64-bit hashes under
// random seeds of its own, so its tables hold no pointers and cost the
// garbage collector nothing to scan, whatever their size. Two different
// ids of one kind share both hashes with probability 2^-128; the seeds
// never leave the process, so nobody can aim for it, and a collision would
// refuse a token, never admit one.
type Revocations struct {
	maxAge     time.Duration
	maxEntries int
	now        func() time.Time

	// filter is nil while the list is empty, so an empty list costs one
	// atomic load.
	filter  atomic.Pointer[revocationFilter]
	dropped atomic.Uint64

	mu     sync.RWMutex
	hasher *revocationHasher // made by the first write, then fixed
	sets   [revocationKinds]map[revocationID]revocationEntry
	// queue holds the entries in the order they were made, so that
	// expired ones, and under a flood the oldest, leave in O(1) each. An
	// entry updated later is queued again; its older element is skipped
	// when it comes up, since its expiry no longer matches.
	queue []queuedRevocation
	head  int
	// stale counts the bits of the filter that no longer stand for an
	// entry; the filter is rebuilt when they are as many as the entries.
	stale int
}

type revocationKind uint8

const (
	kindJTI revocationKind = iota
	kindFamily
	kindSubject
	revocationKinds
)

// revocationID is an id's two hashes; the first also places its bit in
// the filter.
type revocationID [2]uint64

// revocationEntry holds Unix nanoseconds: when the entry expires and, for
// a subject, its cut-off.
type revocationEntry struct {
	expires, before int64
}

type queuedRevocation struct {
	kind    revocationKind
	id      revocationID
	expires int64
}

// revocationHasher holds a list's seeds, two per kind.
type revocationHasher struct {
	seeds [revocationKinds][2]maphash.Seed
}

func newRevocationHasher() *revocationHasher {
	h := new(revocationHasher)
	for k := range h.seeds {
		h.seeds[k] = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	}
	return h
}

func (h *revocationHasher) first(kind revocationKind, value string) uint64 {
	return maphash.String(h.seeds[kind][0], value)
}

func (h *revocationHasher) id(kind revocationKind, value string, first uint64) revocationID {
	return revocationID{first, maphash.String(h.seeds[kind][1], value)}
}

// nanos is t in Unix nanoseconds, clamped to what an int64 holds (the
// zero time, an absent iat, is far below).
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minNanosTime):
		return math.MinInt64
	case t.After(maxNanosTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var (
	minNanosTime = time.Unix(0, math.MinInt64)
	maxNanosTime = time.Unix(0, math.MaxInt64)
)

// NewRevocations returns an empty list with the default configuration.
func NewRevocations() *Revocations {
	return &Revocations{}
}

// NewRevocationsWith returns an empty list configured by cfg.
func NewRevocationsWith(cfg RevocationsConfig) (*Revocations, error) {
	if cfg.MaxAge < 0 || cfg.MaxEntries < 0 {
		return nil, fmt.Errorf("%w: negative MaxAge or MaxEntries", ErrInvalidConfig)
	}
	return &Revocations{maxAge: cfg.MaxAge, maxEntries: cfg.MaxEntries, now: cfg.Now}, nil
}

// RevokeJTI revokes one token by its jti, from now for MaxAge.
func (r *Revocations) RevokeJTI(jti string) { r.RevokeJTIAt(jti, r.clock()) }

// RevokeJTIAt revokes one token by its jti as if it had been revoked at
// the moment at: the entry lasts until at + MaxAge. It is for replicas
// that apply revocations made elsewhere, so that an entry expires when its
// original does rather than a full MaxAge after it arrived.
func (r *Revocations) RevokeJTIAt(jti string, at time.Time) {
	r.add(kindJTI, jti, at, time.Time{})
}

// RevokeFamily revokes every token issued from one refresh token: the
// tokens whose origin_jti is originJTI (RevokeToken, sign-out of one
// device). The entry lasts MaxAge from now.
func (r *Revocations) RevokeFamily(originJTI string) { r.RevokeFamilyAt(originJTI, r.clock()) }

// RevokeFamilyAt is RevokeFamily as if revoked at the moment at; see
// RevokeJTIAt.
func (r *Revocations) RevokeFamilyAt(originJTI string, at time.Time) {
	r.add(kindFamily, originJTI, at, time.Time{})
}

// RevokeSubject revokes every token of the user sub issued before the
// moment before (attributes or groups changed, global sign-out, account
// disabled); tokens issued later, by a refresh or a new sign-in, pass. The
// entry lasts until before + MaxAge; a later call for the same sub moves
// the cut-off forward, never back.
//
// iat counts whole seconds, so a token issued in the second of before,
// but after it, is refused too: pass before truncated to the second to
// let a refresh made within that second pass, at the price of also
// passing a token issued in that second just before the change.
func (r *Revocations) RevokeSubject(sub string, before time.Time) {
	r.add(kindSubject, sub, before, before)
}

// Revoked reports whether c matches a revocation.
func (r *Revocations) Revoked(c *Claims) bool {
	return r.RevocationReason(c) != NotRevoked
}

// RevocationReason reports which revocation c matches, if any: its jti
// first, then its family, then its subject.
func (r *Revocations) RevocationReason(c *Claims) RevocationReason {
	if r == nil || c == nil {
		return NotRevoked
	}
	f := r.filter.Load()
	if f == nil {
		return NotRevoked
	}
	var jti, family, subject uint64
	var inJTI, inFamily, inSubject bool
	if c.JWTID != "" {
		jti, inJTI = f.lookup(kindJTI, c.JWTID)
	}
	if c.OriginJTI != "" {
		family, inFamily = f.lookup(kindFamily, c.OriginJTI)
	}
	if c.Subject != "" {
		subject, inSubject = f.lookup(kindSubject, c.Subject)
	}
	if !inJTI && !inFamily && !inSubject {
		return NotRevoked
	}
	// Only the kinds whose bit is set are hashed again and looked up: a
	// user revoked by subject is refreshed and then asks here on every
	// request until the entry expires, so that path is kept short.
	h := f.hasher
	r.mu.RLock()
	defer r.mu.RUnlock()
	if inJTI {
		if _, ok := r.sets[kindJTI][h.id(kindJTI, c.JWTID, jti)]; ok {
			return RevokedToken
		}
	}
	if inFamily {
		if _, ok := r.sets[kindFamily][h.id(kindFamily, c.OriginJTI, family)]; ok {
			return RevokedFamily
		}
	}
	if inSubject {
		if e, ok := r.sets[kindSubject][h.id(kindSubject, c.Subject, subject)]; ok && nanos(c.IssuedAt) < e.before {
			return RevokedSubject
		}
	}
	return NotRevoked
}

// Len returns the number of entries, expired ones not yet dropped
// included.
func (r *Revocations) Len() int {
	if r == nil {
		return 0
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.len()
}

// Dropped returns how many entries were dropped before their MaxAge
// because the list was full: revocations that no longer take effect. A
// non-zero value means MaxEntries is too small for the revocations made.
func (r *Revocations) Dropped() uint64 {
	if r == nil {
		return 0
	}
	return r.dropped.Load()
}

func (r *Revocations) len() int {
	return len(r.sets[kindJTI]) + len(r.sets[kindFamily]) + len(r.sets[kindSubject])
}

func (r *Revocations) clock() time.Time {
	if r != nil && r.now != nil {
		return r.now()
	}
	return time.Now()
}

// add records an entry of kind for value, referring to the moment at
// (before is the cut-off of a subject entry). Revocations are never taken
// back: an existing entry keeps the later of the two moments.
func (r *Revocations) add(kind revocationKind, value string, at, before time.Time) {
	if r == nil || value == "" {
		return
	}
	now := nanos(r.clock())
	expires := nanos(at.Add(cmp.Or(r.maxAge, DefaultRevocationMaxAge)))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hasher == nil {
		r.hasher = newRevocationHasher()
		for k := range r.sets {
			r.sets[k] = map[revocationID]revocationEntry{}
		}
	}
	r.sweep(now)
	if expires <= now {
		return // every token it could match has expired already
	}
	first := r.hasher.first(kind, value)
	id := r.hasher.id(kind, value, first)
	set := r.sets[kind]
	e := revocationEntry{expires: expires, before: nanos(before)}
	if cur, ok := set[id]; ok && (kind == kindSubject && e.before <= cur.before || kind != kindSubject && e.expires <= cur.expires) {
		return
	}
	set[id] = e
	r.queue = append(r.queue, queuedRevocation{kind: kind, id: id, expires: expires})
	for r.len() > cmp.Or(r.maxEntries, DefaultMaxRevocations) {
		if r.pop() {
			r.dropped.Add(1)
		}
	}
	r.compact()
	f := r.filter.Load()
	if f == nil || r.len()*filterBitsPerEntry > len(f.words)*64 || r.stale > r.len() {
		r.rebuildFilter()
	} else {
		f.set(first)
	}
}

// sweep drops the entries at the head of the queue whose MaxAge has
// passed. The queue is in the order entries were made, which is the order
// of their expiry unless moments were given out of order (RevokeSubject
// with an older cut-off, RevokeJTIAt): such an entry leaves once those
// queued before it have, or when the list is full.
func (r *Revocations) sweep(now int64) {
	for r.head < len(r.queue) && r.queue[r.head].expires <= now {
		r.pop()
	}
}

// pop removes the head of the queue, and its entry unless the entry was
// updated since; it reports whether an entry left.
func (r *Revocations) pop() bool {
	q := r.queue[r.head]
	r.queue[r.head] = queuedRevocation{}
	r.head++
	if !r.current(q) {
		return false
	}
	delete(r.sets[q.kind], q.id)
	r.stale++
	if r.len() == 0 {
		r.filter.Store(nil)
		r.stale = 0
	}
	return true
}

// compact keeps the queue within twice the entries it stands for: elements
// of entries updated since, and the popped head, are dropped once they
// are the larger part.
func (r *Revocations) compact() {
	if len(r.queue)-r.head <= 2*r.len()+64 && r.head <= len(r.queue)/2 {
		return
	}
	live := make([]queuedRevocation, 0, r.len()+r.len()/2)
	for _, q := range r.queue[r.head:] {
		if r.current(q) {
			live = append(live, q)
		}
	}
	r.queue, r.head = live, 0
}

// current reports whether q is the latest queued element of its entry.
func (r *Revocations) current(q queuedRevocation) bool {
	e, ok := r.sets[q.kind][q.id]
	return ok && e.expires == q.expires
}

// filterBitsPerEntry sizes the filter: with one bit per entry and kind, a
// token that matches nothing takes the locked path with probability about
// 3 / filterBitsPerEntry.
const filterBitsPerEntry = 32

// rebuildFilter replaces the filter by one sized for the entries, holding
// only theirs. Readers keep the old one until the swap; both answer
// correctly for every entry that exists while they read it.
func (r *Revocations) rebuildFilter() {
	n := r.len()
	if n == 0 {
		r.filter.Store(nil)
		r.stale = 0
		return
	}
	words := 1 << bits.Len(uint(n*filterBitsPerEntry*2/64))
	f := &revocationFilter{words: make([]atomic.Uint64, words), mask: uint64(words*64 - 1), hasher: r.hasher}
	for _, set := range r.sets {
		for id := range set {
			f.set(id[0])
		}
	}
	r.filter.Store(f)
	r.stale = 0
}

// revocationFilter is a one-hash Bloom filter over the entries of every
// kind: a clear bit proves the id is not listed.
type revocationFilter struct {
	words  []atomic.Uint64
	mask   uint64
	hasher *revocationHasher
}

// lookup returns the first hash of value for kind, and whether its bit is
// set.
func (f *revocationFilter) lookup(kind revocationKind, value string) (first uint64, set bool) {
	first = f.hasher.first(kind, value)
	i := first & f.mask
	return first, f.words[i>>6].Load()&(1<<(i&63)) != 0
}

func (f *revocationFilter) set(first uint64) {
	i := first & f.mask
	f.words[i>>6].Or(1 << (i & 63))
}

var _ RevocationReasoner = (*Revocations)(nil)
