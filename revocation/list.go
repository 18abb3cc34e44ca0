// Package revocation is an in-memory revocation list for
// cognitojwt.Config.Revocations: tokens revoked by jti, by refresh token
// (origin_jti) or by subject with a cut-off, checked on every
// verification, cache hits included, in tens to hundreds of nanoseconds.
// A List is a cognitojwt.KeyedRevocationList: a Verifier's cache keeps
// each token's key, the hashes of its ids, and its hits read the list's
// memory without hashing anything.
//
// A fleet of instances that must agree on revocations uses the redisstore
// module instead, which keeps a replica of a list held in Redis.
package revocation

import (
	"cmp"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/hashtab"
	"github.com/cognitojwt/cognitojwt/internal/revtab"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// Defaults for Config fields left zero.
const (
	// DefaultMaxAge is the longest a Cognito access or ID token
	// lives: one day.
	DefaultMaxAge = 24 * time.Hour
	// DefaultMaxEntries bounds a list's entries; a full list takes
	// about 65 MB (measured by BenchmarkListMemory).
	DefaultMaxEntries = 1_000_000
)

// Config configures a List. The zero value of every field is a sound
// default.
type Config struct {
	// MaxAge is how long an entry lasts after the moment it refers to:
	// after its revocation for a jti or a family, after its cut-off for a
	// subject. It must be at least the longest lifetime of the tokens
	// verified (Cognito allows up to a day for access and ID tokens, the
	// default), or a revoked token could outlive its entry.
	MaxAge time.Duration
	// MaxEntries bounds the list (default DefaultMaxEntries). When a
	// revocation would exceed it, the oldest entries are dropped and
	// counted by Dropped: size it for the revocations expected within
	// MaxAge, with room to spare.
	MaxEntries int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// List is an in-memory cognitojwt.RevocationList, safe for concurrent
// use: put it in cognitojwt.Config.Revocations (or alb's, or web's
// Verify). New makes one; the zero value is an empty list with the default
// configuration. A nil *List reads as an empty list, so that a Config
// holding one works, and ignores revocations.
//
// Entries remove themselves: each write first drops the entries whose
// MaxAge has passed, since no token they match can still be valid, so the
// list never holds more than the revocations of the last MaxAge, and never
// more than MaxEntries whatever the rate of revocations. Nothing runs in
// the background and there is nothing to close. (Until the next write, an
// entry past its MaxAge still refuses the tokens it matches, which are
// expired anyway.)
//
// Lookups take no lock, hit or miss, and write nothing shared. The
// entries are laid out by internal/revtab, as redisstore's replica's are,
// and the replica's lookup, written for its own values, keeps the same
// rules: a filter of two bits of one word per entry, read with atomic
// loads, answers "not listed" for almost every token, and a token whose
// bits are set is looked up in its kind's open-addressing table
// (internal/hashtab) whose slots are published by atomic stores, so a
// revoked or refreshed user's every request runs in parallel with the
// others and with the writers. A slot holds all a lookup compares (the
// id's two hashes and, for a subject, its cut-off) in 16 aligned bytes,
// so a hit reads one line of the filter and one of a table per id, and
// nothing else. A subject hit most often reads no table at all: each
// filter word also keeps the latest cut-off of the subjects whose bits it
// holds, and a token issued at or after it (a refreshed user's, what most
// hits are) passes on that, its subject's second hash never computed.
// Each kind (jti, family, subject) has a table of its own, so a hit reads
// a table of its kind only, a third of the memory of a list of a third
// of each kind. The filter is shared, as a miss reads the same three words
// whichever way it is cut. Both live in huge pages where the system
// offers them, so that at a million entries a lookup is not also a TLB
// miss.
// Hashing the ids (a maphash of each, 16-20 ns, and a second one for an
// id whose tag matches) is most of a lookup whose lines the caches hold.
// A caller that asks about one token again and again (a Verifier's cache
// hits) makes its RevocationKey once and asks RevocationReasonKeyed,
// which reads the key's hashes instead: the same words and lines, and
// the same answer, revocations made since the key included, as the key
// holds hashes, not answers. The seeds are drawn once per list and never
// change, so a key is good for the list's life; a key made by another
// list is not trusted, and the lookup hashes as usual.
//
// The list keeps no strings: an id is kept as a 64-bit and a 32-bit hash
// under random seeds of its kind, so its table holds no pointers and costs
// the garbage collector nothing to scan, whatever its size. Two different
// ids of one kind share both hashes with probability 2^-96 (ids of
// different kinds are never compared); the seeds never leave the process,
// so nobody can aim for it, and a collision would refuse a token, never
// admit one.
type List struct {
	maxAge     time.Duration
	maxEntries int
	now        func() time.Time

	dropped atomic.Uint64
	// set holds the filter and each kind's table; it is read without the
	// lock and written under it.
	set revtab.Set[revocationEntry]
	// n is the number of entries, stored by the writer after each change
	// so that Len takes no lock.
	n atomic.Int64

	mu sync.Mutex // serialises writers
	// queue holds the entries of every kind in the order they were made,
	// so that expired ones, and under a flood the oldest, leave in O(1)
	// each. An entry updated later is queued again; its older element is
	// skipped when it comes up, since its expiry no longer matches.
	queue []queuedRevocation
	head  int
	// stale counts the bits of the filter that no longer stand for an
	// entry; the filter is rebuilt when they are as many as the entries.
	stale int
}

const (
	kindJTI     = revtab.JTI
	kindFamily  = revtab.Family
	kindSubject = revtab.Subject
)

// revocationID is an id's two hashes under its kind's seeds: the first
// places its bits in the filter and is its tag in its kind's table; the
// second tells apart the entries that share a tag.
type revocationID struct {
	tag   uint64
	check uint32
}

// revocationEntry is a table's value: the id's second hash in the high
// half, and a stamp in Unix seconds in the low half: for a subject, its
// cut-off (what a lookup compares iat with), for a jti or a family, when
// it expires (rounded up), which tells the writer which of its queued
// elements is current. With the table's tag it makes a 16-byte slot, four
// to a cache line.
type revocationEntry uint64

func newEntry(check, stamp uint32) revocationEntry {
	return revocationEntry(check)<<32 | revocationEntry(stamp)
}

// Check is the id's second hash, which a lookup compares.
func (e revocationEntry) Check() uint32 { return uint32(e >> 32) }

func (e revocationEntry) stamp() uint32 { return uint32(e) }

// Bound is a subject's cut-off, its stamp, which is kept within revtab's
// bounds already (MaxUint32 for every cut-off after 2106).
func (e revocationEntry) Bound() uint32 { return e.stamp() }

// stamp clamps Unix seconds to a stamp: times before 1970 or after 2106
// are not ones a token is issued at.
func stamp(sec int64) uint32 { return uint32(min(max(sec, 0), math.MaxUint32)) }

// queuedRevocation is an element of the writer's expiry queue: an entry
// and its kind, its stamp when queued and when it expires, in Unix
// nanoseconds.
type queuedRevocation struct {
	tag          uint64
	check, stamp uint32
	expires      int64
	kind         revtab.Kind
}

// New returns an empty list configured by cfg; New(Config{}) is the
// default list. A negative MaxAge or MaxEntries is an error wrapping
// cognitojwt.ErrInvalidConfig.
func New(cfg Config) (*List, error) {
	if cfg.MaxAge < 0 || cfg.MaxEntries < 0 {
		return nil, fmt.Errorf("%w: revocation: negative MaxAge or MaxEntries", cognitojwt.ErrInvalidConfig)
	}
	return &List{maxAge: cfg.MaxAge, maxEntries: cfg.MaxEntries, now: cfg.Now}, nil
}

// RevokeJTI revokes one token by its jti, from now for MaxAge.
func (r *List) RevokeJTI(jti string) { r.RevokeJTIAt(jti, r.clock()) }

// RevokeJTIAt revokes one token by its jti as if it had been revoked at
// the moment at: the entry lasts until at + MaxAge. It is for replicas
// that apply revocations made elsewhere, so that an entry expires when its
// original does rather than a full MaxAge after it arrived.
func (r *List) RevokeJTIAt(jti string, at time.Time) {
	r.add(kindJTI, jti, at, time.Time{})
}

// RevokeFamily revokes every token issued from one refresh token: the
// tokens whose origin_jti is originJTI (RevokeToken, sign-out of one
// device). The entry lasts MaxAge from now.
func (r *List) RevokeFamily(originJTI string) { r.RevokeFamilyAt(originJTI, r.clock()) }

// RevokeFamilyAt is RevokeFamily as if revoked at the moment at; see
// RevokeJTIAt.
func (r *List) RevokeFamilyAt(originJTI string, at time.Time) {
	r.add(kindFamily, originJTI, at, time.Time{})
}

// RevokeSubject revokes every token of the user sub issued before the
// moment before (attributes or groups changed, global sign-out, account
// disabled); tokens issued later, by a refresh or a new sign-in, pass. The
// entry lasts until before + MaxAge; a later call for the same sub moves
// the cut-off forward, never back.
//
// iat counts whole seconds, so the cut-off is taken at the second: a token
// is refused when its iat is before before truncated to the second
// (iat < floor(before)). A token issued in the same second as the cut-off
// passes, so the refresh a client makes right after being refused is let
// in rather than refused again; the price is that a token issued in that
// second just before the change passes too. Every list of the module
// (and redisstore's) applies this rule. A cut-off after 2106, past the
// seconds an entry holds, refuses every token of the subject.
func (r *List) RevokeSubject(sub string, before time.Time) {
	r.add(kindSubject, sub, before, before)
}

// Revoked reports whether c matches a revocation: RevocationReason for
// callers that need only a yes or no.
func (r *List) Revoked(c *cognitojwt.Claims) bool {
	return r.RevocationReason(c) != cognitojwt.NotRevoked
}

// RevocationReason reports which revocation c matches, if any: its jti
// first, then its family, then its subject.
func (r *List) RevocationReason(c *cognitojwt.Claims) cognitojwt.RevocationReason {
	if r == nil || c == nil {
		return cognitojwt.NotRevoked
	}
	f := r.set.Filter()
	if f == nil {
		return cognitojwt.NotRevoked
	}
	// The replica's lookup takes the same steps for its own values: one
	// generic lookup for both (Go 1.26 compiles it once per shape and
	// calls the values' methods through a dictionary) measured 40-70%
	// slower on a hit at a million entries than this, so each list keeps
	// its own, and each list's tests hold it to the rules.
	h := r.set.Hasher()
	var jti, family, subject uint64
	if c.JWTID != "" {
		jti = h.Tag(kindJTI, c.JWTID)
	}
	if c.OriginJTI != "" {
		family = h.Tag(kindFamily, c.OriginJTI)
	}
	if c.Subject != "" {
		subject = h.Tag(kindSubject, c.Subject)
	}
	return r.reason(c, f, h, jti, family, subject, nil)
}

// reason is the lookup once the ids' tags are known (0 for an id c does
// not carry): from sums, a key's, when not nil, whose second hashes it
// then reads too, else from h, which computes them when a tag matches.
func (r *List) reason(c *cognitojwt.Claims, f *hashtab.Filter, h *revtab.Hasher, jti, family, subject uint64, sums *[5]uint64) cognitojwt.RevocationReason {
	inJTI, inFamily, inSubject := f.Has3(jti, family, subject)
	if !inJTI && !inFamily && !inSubject {
		return cognitojwt.NotRevoked
	}
	if inJTI && r.listed(h, kindJTI, c.JWTID, jti, sums) {
		return cognitojwt.RevokedToken
	}
	if inFamily && r.listed(h, kindFamily, c.OriginJTI, family, sums) {
		return cognitojwt.RevokedFamily
	}
	if inSubject && !revtab.IssuedAfterCutoffs(f, subject, c.IssuedAt.Unix()) && r.subjectRefuses(h, c, subject, sums) {
		return cognitojwt.RevokedSubject
	}
	return cognitojwt.NotRevoked
}

// subjectRefuses is the subject rule for the list's values: the
// second hash is skipped when the only entry under the tag lets the
// token pass. Two subjects that share both hashes share one entry, which
// keeps the later cut-off, so a collision refuses, never admits.
func (r *List) subjectRefuses(h *revtab.Hasher, c *cognitojwt.Claims, tag uint64, sums *[5]uint64) bool {
	t := r.set.Table(kindSubject)
	e, ok, only := t.FindTag(tag)
	if !ok {
		return false
	}
	// A cut-off past the last second a stamp holds is kept as that
	// second, so iat is taken one second earlier at most: such a
	// cut-off then refuses every token, however late its iat, rather
	// than let through those of 2106 and after.
	iat := min(c.IssuedAt.Unix(), math.MaxUint32-1)
	if only && iat >= int64(e.stamp()) {
		return false
	}
	sum := h.CheckOf(kindSubject, c.Subject, sums)
	if e.Check() != sum {
		if e, ok = r.set.Find(kindSubject, tag, sum); !ok {
			return false
		}
	}
	return iat < int64(e.stamp())
}

// listed is revtab's tag-only probe for the list's values: the second
// hash is computed (or read from sums) once a slot's tag matches.
func (r *List) listed(h *revtab.Hasher, kind revtab.Kind, id string, tag uint64, sums *[5]uint64) bool {
	e, ok, _ := r.set.Table(kind).FindTag(tag)
	if !ok {
		return false
	}
	sum := h.CheckOf(kind, id, sums)
	if e.Check() == sum {
		return true
	}
	_, ok = r.set.Find(kind, tag, sum)
	return ok
}

// lookup is a lookup for the writer, which has the id's hashes.
func (r *List) lookup(kind revtab.Kind, id revocationID) (revocationEntry, bool) {
	return r.set.Find(kind, id.tag, id.check)
}

// Len returns the number of entries, expired ones not yet dropped
// included.
func (r *List) Len() int {
	if r == nil {
		return 0
	}
	return int(r.n.Load())
}

// Dropped returns how many entries were dropped before their MaxAge
// because the list was full: revocations that no longer take effect. A
// non-zero value means MaxEntries is too small for the revocations made.
func (r *List) Dropped() uint64 {
	if r == nil {
		return 0
	}
	return r.dropped.Load()
}

func (r *List) len() int { return r.set.Len() }

func (r *List) clock() time.Time {
	if r != nil && r.now != nil {
		return r.now()
	}
	return time.Now()
}

// add records an entry of kind for value, referring to the moment at
// (before is the cut-off of a subject entry). Revocations are never taken
// back: an existing entry keeps the later of the two moments.
func (r *List) add(kind revtab.Kind, value string, at, before time.Time) {
	if r == nil || value == "" {
		return
	}
	now := rules.UnixNanos(r.clock())
	expires := rules.UnixNanos(at.Add(cmp.Or(r.maxAge, DefaultMaxAge)))
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { r.n.Store(int64(r.len())) }()
	h := r.set.Hasher()
	r.sweep(now)
	if expires <= now {
		return // every token it could match has expired already
	}
	id := revocationID{h.Tag(kind, value), h.Check(kind, value)}
	// A stamp only moves forward, so it tells a queued element of the
	// entry from those queued before it. A jti or a family lasts to the
	// end of the second its MaxAge ends in, so a later revocation within
	// that second changes nothing; a subject's cut-off counts whole
	// seconds anyway.
	var st uint32
	if kind == kindSubject {
		st = stamp(rules.SubjectCutoff(before).Unix())
	} else if st = stamp((expires + 1e9 - 1) / 1e9); st < math.MaxUint32 {
		expires = int64(st) * 1e9
	}
	if cur, ok := r.lookup(kind, id); ok && st <= cur.stamp() {
		return
	}
	// The bit, and a subject's cut-off in its word's mark, go in before
	// the entry, so that a reader that finds the entry was not turned
	// away by the filter, or let through by the mark, a moment before; a
	// filter about to be rebuilt gets both from the table.
	f := r.set.Filter()
	rebuild := f == nil || (r.len()+1)*filterBitsPerEntry > f.Bits() || r.stale > r.len()
	if !rebuild {
		f.Set(id.tag)
		if kind == kindSubject {
			f.Raise(id.tag, st)
		}
	}
	r.set.Table(kind).Put(id.tag, newEntry(id.check, st), func(cur *revocationEntry) bool { return cur.Check() == id.check })
	r.queue = append(r.queue, queuedRevocation{tag: id.tag, check: id.check, stamp: st, expires: expires, kind: kind})
	for r.len() > cmp.Or(r.maxEntries, DefaultMaxEntries) {
		if r.pop() {
			r.dropped.Add(1)
		}
	}
	r.compact()
	if rebuild && r.len() > 0 {
		r.rebuildFilter()
	}
}

// sweep drops the entries at the head of the queue whose MaxAge has
// passed. The queue is in the order entries were made, which is the order
// of their expiry unless moments were given out of order (RevokeSubject
// with an older cut-off, RevokeJTIAt): such an entry leaves once those
// queued before it have, or when the list is full.
func (r *List) sweep(now int64) {
	for r.head < len(r.queue) && r.queue[r.head].expires <= now {
		r.pop()
	}
}

// pop removes the head of the queue, and its entry unless the entry was
// updated since; it reports whether an entry left.
func (r *List) pop() bool {
	q := r.queue[r.head]
	r.queue[r.head] = queuedRevocation{}
	r.head++
	if !r.current(q) {
		return false
	}
	r.set.Table(q.kind).Delete(q.tag, func(e *revocationEntry) bool { return e.Check() == q.check })
	r.stale++
	if r.len() == 0 {
		r.set.RebuildFilter(0)
		r.stale = 0
	}
	return true
}

// compact keeps the queue within twice the entries it stands for: elements
// of entries updated since, and the popped head, are dropped once they
// are the larger part.
func (r *List) compact() {
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
func (r *List) current(q queuedRevocation) bool {
	e, ok := r.lookup(q.kind, revocationID{q.tag, q.check})
	return ok && e.stamp() == q.stamp
}

var _ cognitojwt.KeyedRevocationList = (*List)(nil)
