package redisstore

import (
	"container/heap"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/hashtab"
	"github.com/cognitojwt/cognitojwt/internal/revtab"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// kind is what a revocation entry matches.
type kind byte

const (
	kindJTI     kind = 'j' // one token's jti
	kindFamily  kind = 'f' // origin_jti: every token of one refresh token
	kindSubject kind = 's' // sub: every token issued before the entry's moment
	kinds            = 3
)

// index is k's table in the replica's set.
func (k kind) index() revtab.Kind {
	switch k {
	case kindJTI:
		return revtab.JTI
	case kindFamily:
		return revtab.Family
	default:
		return revtab.Subject
	}
}

var allKinds = [kinds]kind{kindJTI, kindFamily, kindSubject}

// entry is one revocation. moment is when it was made (jti, family) or the
// subject's cut-off; in every case no token it matches can be valid after
// moment + the store's TTL, so that is when it expires.
type entry struct {
	kind   kind
	id     string
	moment int64 // Unix nanoseconds: a subject's cut-off keeps full precision
}

// rank is the order in which entries expire and are dropped beyond the
// bound: Redis's order (the sorted sets' millisecond score, then the
// member's bytes), so that a replica and Redis drop the same entries.
func (e entry) less(o entry) bool {
	if a, b := e.moment/1e6, o.moment/1e6; a != b {
		return a < b
	}
	return e.id < o.id
}

// queue orders one kind's entries by rank. It may hold stale items (an
// entry whose moment moved on, or that left): they are skipped when
// popped, and the queue is rebuilt when they outnumber the live ones.
type queue []entry

func (q queue) Len() int           { return len(q) }
func (q queue) Less(i, j int) bool { return q[i].less(q[j]) }
func (q queue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)        { *q = append(*q, x.(entry)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// replica is the local copy that Revoked reads. Entries only ever merge in
// (keeping the later moment) and leave by expiry: a revocation is never
// taken back, so applying pub/sub messages, resynchronisations and local
// writes in any order converges to the same set.
//
// Reads take no lock and write nothing shared. The entries are laid out
// by internal/revtab, as revocation.List's are, and the lookup, written
// for the replica's own values, keeps the list's rules. A filter of 32
// to 64 bits per entry (two of one word set for each), read with atomic
// loads, answers "not listed" for almost every token without touching the
// sets; only a token whose bits are set is looked up in them. The sets
// are open-addressing tables (internal/hashtab) whose slots are published
// by atomic stores, so a flood of revocations (writers serialise on mu)
// never stalls the requests being verified, and a listed token is
// answered as fast as an unlisted one. An id is hashed once per kind: the
// hash places its bits in the filter and its slot in the table. A slot
// holds what a lookup compares, a second hash of the id and its moment,
// so a hit reads one line of the filter and one of the set and never
// follows the slot to the id's bytes; both live in huge pages where the
// system offers them (see internal/hashtab). A subject hit most often
// reads no set at all: each filter word keeps the latest cut-off of the
// subjects whose bits it holds (in whole seconds, as Bound gives it), and
// a token issued at or after it passes on that. A Verifier's cache hit
// hashes nothing: the cache keeps the token's key, its ids' hashes made
// once under the replica's seeds, which never change, and reasonKeyed
// reads them instead (a key of other seeds is not trusted). Two ids of a
// kind share both hashes with probability 2^-96 under seeds that never
// leave the process, and a collision would refuse a token, never admit
// one.
//
// Each kind also keeps its entries in expiry order (a heap), so that
// pruning and bounding cost what they remove, not the size of the list:
// at a million entries, a resynchronisation that finds nothing new must
// not walk them all.
type replica struct {
	n   atomic.Int64 // entries held; lets an empty replica answer with one load
	set revtab.Set[held]
	h   *revtab.Hasher // set's, fixed, so that a rebuilt filter and the tables agree

	mu     sync.Mutex // serialises writers: add, prune and filter rebuilds
	stale  int        // bits set for entries pruned since the last rebuild
	counts [kinds]int
	queues [kinds]queue
}

// held is a set's value: 32 bits of a second hash of the id, which a
// lookup compares, its moment, and the id itself, kept whole for the
// writer, which compares it in full, and for a resynchronisation, which
// writes it back. The id is held as its length and a pointer to its
// bytes rather than as a string, so that the value takes 24 bytes and a
// slot 32, two to a cache line.
type held struct {
	check  uint32
	n      uint32 // the id's length
	moment int64  // Unix nanoseconds
	p      *byte  // the id's bytes
}

func newHeld(check uint32, id string, moment int64) held {
	return held{check: check, n: uint32(len(id)), moment: moment, p: unsafe.StringData(id)}
}

// id returns the id; its bytes are never written, as a string's are not.
func (v *held) id() string { return unsafe.String(v.p, v.n) }

// Check is the id's second hash, which a lookup compares.
func (v held) Check() uint32 { return v.check }

// Cutoff is a subject's cut-off in Unix seconds, which a lookup compares
// iat with: the moment truncated to its second (rules.SubjectCutoff), as
// every list of the module has it. iat has whole seconds, so a token of
// the cut-off's own second cannot be told from one issued just after it:
// it is admitted, so that the refresh a client makes right after
// RevokeSubject(sub, time.Now()) gets a token that passes instead of a
// refusal that asks it to refresh again.
func (v held) Cutoff() int64 { return rules.SubjectCutoffUnix(v.moment) }

// Bound is Cutoff within revtab's bounds: before 1970 as 0, which lets
// through the same tokens, all of whose iat is at least 0; after 2106 as
// MaxUint32, which sends every token of the word on to the set, where
// the cut-off is compared in full.
func (v held) Bound() uint32 { return uint32(min(max(v.Cutoff(), 0), math.MaxUint32)) }

// lastCutoff is the latest cut-off a held moment gives
// (rules.SubjectCutoffUnix(math.MaxInt64)), which a cut-off after it is
// kept as.
const lastCutoff = math.MaxInt64 / 1_000_000_000

// bitsPerEntry keeps false positives under 1/100 per id at capacity (two
// bits of a word: about 0.55%, as the revocation list's filter of the same
// density measures, where 16 bits sent 1.7%): most tokens then cost three
// hashes and three loads, and fewer reach a set. A filter is rebuilt with
// twice the bits, so it holds 32 to 64 per entry: 4 to 8 bytes, about
// 4 MB at a million entries, and half as much again for its words'
// subject cut-offs.
const bitsPerEntry = 32

// filterBits is the size of a filter for entries, doubled so that growth
// costs amortised O(1) per add.
func filterBits(entries int) int { return max(1024, 2*entries*bitsPerEntry) }

func newReplica() *replica {
	r := &replica{}
	r.h = r.set.Hasher()
	r.set.RebuildFilter(filterBits(0))
	return r
}

// hash is id's first hash for kind i: its filter bits and its table tag.
func (r *replica) hash(i revtab.Kind, id string) uint64 { return r.h.Tag(i, id) }

// find looks id up in kind i's set, h being its hash, comparing ids in
// full, as the writer does; it takes no lock.
func (r *replica) find(i revtab.Kind, id string, h uint64) (held, bool) {
	return r.set.Table(i).Find(h, func(v *held) bool { return v.id() == id })
}

// add merges e and reports whether it changed anything.
func (r *replica) add(e entry) bool {
	i := e.kind.index()
	h := r.hash(i, e.id)
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, loaded := r.find(i, e.id, h)
	if loaded && cur.moment >= e.moment {
		return false
	}
	// The bit, and a subject's cut-off in its word's mark, go in before
	// the entry, so a reader that finds the entry in the set was not
	// turned away by the filter, or let through by the mark, a moment
	// earlier.
	f := r.set.Filter()
	if !loaded && (int(r.n.Load())+1)*bitsPerEntry > f.Bits() {
		f = r.rebuildLocked(int(r.n.Load()) + 1)
	}
	f.Set(h)
	if i == revtab.Subject {
		f.Raise(h, held{moment: e.moment}.Bound())
	}
	r.set.Table(i).Put(h, newHeld(r.h.Check(i, e.id), e.id, e.moment), func(v *held) bool { return v.id() == e.id })
	if !loaded {
		r.n.Add(1)
		r.counts[i]++
	}
	heap.Push(&r.queues[i], e)
	if len(r.queues[i]) > 2*r.counts[i]+1024 {
		r.requeueLocked(i)
	}
	return true
}

// requeueLocked rebuilds kind i's queue from its set, without the stale
// items.
func (r *replica) requeueLocked(i revtab.Kind) {
	q := make(queue, 0, r.counts[i])
	for _, v := range r.set.Table(i).All() {
		q = append(q, entry{kind: allKinds[i], id: v.id(), moment: v.moment})
	}
	heap.Init(&q)
	r.queues[i] = q
}

// popLocked removes kind i's lowest-ranked live entry when keep says so,
// and reports whether it removed one.
func (r *replica) popLocked(i revtab.Kind, keep func(entry) bool) bool {
	q := &r.queues[i]
	for q.Len() > 0 {
		e := (*q)[0]
		h := r.hash(i, e.id)
		cur, ok := r.find(i, e.id, h)
		if !ok || cur.moment != e.moment {
			heap.Pop(q) // stale
			continue
		}
		if keep(e) {
			return false
		}
		heap.Pop(q)
		r.set.Table(i).Delete(h, func(v *held) bool { return v.id() == e.id })
		r.n.Add(-1)
		r.counts[i]--
		r.stale++
		return true
	}
	return false
}

// rebuildLocked replaces the filter with one sized for entries (doubled,
// so growth costs amortised O(1) per add) holding the current entries.
func (r *replica) rebuildLocked(entries int) *hashtab.Filter {
	r.stale = 0
	return r.set.RebuildFilter(filterBits(entries))
}

// prune drops the entries whose moment is at or before cutoff, to the
// millisecond as Redis does: every token they match has expired. It costs
// what it drops, and returns how many.
func (r *replica) prune(cutoff int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i := range revtab.Kind(kinds) {
		for r.popLocked(i, func(e entry) bool { return e.moment/1e6 > cutoff/1e6 }) {
			n++
		}
	}
	r.compactLocked()
	return n
}

// compactLocked rebuilds the filter once the bits of removed entries are
// as many as the live entries: stale bits only cost a set lookup each, but
// they would make the filter ever denser.
func (r *replica) compactLocked() {
	if r.stale > 0 && r.stale >= int(r.n.Load()) {
		r.rebuildLocked(int(r.n.Load()))
	}
}

// bound drops the lowest-ranked entries of each kind beyond max, as Redis
// does, and returns how many it dropped. It costs what it drops.
func (r *replica) bound(max int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	dropped := 0
	for i := range revtab.Kind(kinds) {
		for r.counts[i] > max && r.popLocked(i, func(entry) bool { return false }) {
			dropped++
		}
	}
	r.compactLocked()
	return dropped
}

// snapshot returns every entry newer than cutoff. It takes no lock: an
// entry merged meanwhile may or may not be in it.
func (r *replica) snapshot(cutoff int64) []entry {
	out := make([]entry, 0, r.n.Load())
	for i := range revtab.Kind(kinds) {
		for _, v := range r.set.Table(i).All() {
			if v.moment > cutoff {
				out = append(out, entry{kind: allKinds[i], id: v.id(), moment: v.moment})
			}
		}
	}
	return out
}

func (r *replica) len() int { return int(r.n.Load()) }

// reason applies the same rules as revocation.List, in the same steps: a
// listed jti or origin_jti, or a subject whose token was issued before
// the cut-off. Each id is hashed once for its bits and tag, and the three
// filter words are read before any branch on them, so that their loads
// overlap. The list takes the same steps for its own values: one generic
// lookup for both measured 40-70% slower on a hit at a million entries
// (see revtab's package documentation), so each keeps its own, held to
// the rules by its own tests.
func (r *replica) reason(c *cognitojwt.Claims) cognitojwt.RevocationReason {
	if r.n.Load() == 0 || c == nil {
		return cognitojwt.NotRevoked
	}
	f := r.set.Filter()
	var jti, family, subject uint64 // 0: no such claim; a tag is never 0
	if c.JWTID != "" {
		jti = r.h.Tag(revtab.JTI, c.JWTID)
	}
	if c.OriginJTI != "" {
		family = r.h.Tag(revtab.Family, c.OriginJTI)
	}
	if c.Subject != "" {
		subject = r.h.Tag(revtab.Subject, c.Subject)
	}
	return r.decide(c, f, jti, family, subject, nil)
}

// decide is the lookup once the ids' tags are known (0 for an id c does
// not carry): from sums, a key's, when not nil, whose second hashes it
// then reads too, else hashed by reason, the second hashes computed when
// a tag matches.
func (r *replica) decide(c *cognitojwt.Claims, f *hashtab.Filter, jti, family, subject uint64, sums *[5]uint64) cognitojwt.RevocationReason {
	inJTI, inFamily, inSubject := f.Has3(jti, family, subject)
	if !inJTI && !inFamily && !inSubject {
		return cognitojwt.NotRevoked
	}
	if inJTI && r.listed(revtab.JTI, c.JWTID, jti, sums) {
		return cognitojwt.RevokedToken
	}
	if inFamily && r.listed(revtab.Family, c.OriginJTI, family, sums) {
		return cognitojwt.RevokedFamily
	}
	if inSubject && !revtab.IssuedAfterCutoffs(f, subject, c.IssuedAt.Unix()) && r.subjectRefuses(c, subject, sums) {
		return cognitojwt.RevokedSubject
	}
	return cognitojwt.NotRevoked
}

// listed is revtab's tag-only probe for the replica's values: the second
// hash is computed (or read from sums) once a slot's tag matches.
func (r *replica) listed(i revtab.Kind, id string, tag uint64, sums *[5]uint64) bool {
	v, ok, _ := r.set.Table(i).FindTag(tag)
	if !ok {
		return false
	}
	check := r.h.CheckOf(i, id, sums)
	if v.check == check {
		return true
	}
	_, ok = r.set.Find(i, tag, check)
	return ok
}

// subjectRefuses is the list's subject rule for the replica's values: the
// second hash is skipped when the only entry under the tag lets the token
// pass, and otherwise any entry under the tag with the subject's second
// hash that refuses the token refuses it, so that two subjects that share
// both hashes (the writer keeps ids whole, so it may hold both) refuse,
// never admit, each other's tokens.
func (r *replica) subjectRefuses(c *cognitojwt.Claims, tag uint64, sums *[5]uint64) bool {
	t := r.set.Table(revtab.Subject)
	v, ok, only := t.FindTag(tag)
	if !ok {
		return false
	}
	// A cut-off past 2262 is held as the last second of Unix nanoseconds,
	// so iat is taken one second earlier at most: such a cut-off then
	// refuses every token, however late its iat.
	iat := min(c.IssuedAt.Unix(), lastCutoff-1)
	if only && iat >= v.Cutoff() {
		return false
	}
	check := r.h.CheckOf(revtab.Subject, c.Subject, sums)
	if only {
		return v.check == check
	}
	refused := false
	t.Find(tag, func(v *held) bool {
		refused = v.check == check && iat < v.Cutoff()
		return refused
	})
	return refused
}
