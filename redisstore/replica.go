package redisstore

import (
	"container/heap"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/hashtab"
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

func (k kind) index() int {
	switch k {
	case kindJTI:
		return 0
	case kindFamily:
		return 1
	default:
		return 2
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
// Reads take no lock and write nothing shared. A filter of 32 to 64 bits
// per entry (two of one word set for each), read with atomic loads, answers
// "not listed" for almost every token without touching the sets; only a
// token whose bits are set is looked up in them. The sets are
// open-addressing tables (internal/hashtab) whose slots are published by
// atomic stores, so a flood of revocations (writers serialise on mu)
// never stalls the requests being verified, and a listed token is
// answered as fast as an unlisted one. An id is hashed once per kind: the
// hash places its bits in the filter and its slot in the table. A slot
// holds what a lookup compares, a second hash of the id and its moment,
// so a hit reads one line of the filter and one of the set and never
// follows the slot to the id's bytes; both live in huge pages where the
// system offers them (see internal/hashtab). Two ids of a
// kind share both hashes with probability 2^-96 under seeds that never
// leave the process, and a collision would refuse a token, never admit
// one.
//
// Each kind also keeps its entries in expiry order (a heap), so that
// pruning and bounding cost what they remove, not the size of the list:
// at a million entries, a resynchronisation that finds nothing new must
// not walk them all.
type replica struct {
	n      atomic.Int64 // entries held; lets an empty replica answer with one load
	filter atomic.Pointer[hashtab.Filter]
	seeds  [kinds]maphash.Seed // fixed, so that a rebuilt filter and the tables agree
	checks [kinds]maphash.Seed // of the second hash a slot holds
	sets   [kinds]hashtab.Table[held]

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

// bitsPerEntry keeps false positives under 1/100 per id at capacity (two
// bits of a word: about 0.55%, as the revocation list's filter of the same
// density measures, where 16 bits sent 1.7%): most tokens then cost three
// hashes and three loads, and fewer reach a set. A filter is rebuilt with
// twice the bits, so it holds 32 to 64 per entry: 4 to 8 bytes, about
// 4 MB at a million entries.
const bitsPerEntry = 32

// newFilter returns a filter over (kind, id), indexed by the replica's
// hash, for entries.
func newFilter(entries int) *hashtab.Filter {
	return hashtab.NewFilter(max(1024, entries*bitsPerEntry))
}

func newReplica() *replica {
	r := &replica{}
	for i := range r.seeds {
		r.seeds[i], r.checks[i] = maphash.MakeSeed(), maphash.MakeSeed()
	}
	r.filter.Store(newFilter(0))
	return r
}

// hash is id's hash for kind index i: its filter bit and its table tag
// (never 0 or 1, which the table reserves, so that both are one number).
func (r *replica) hash(i int, id string) uint64 {
	return max(maphash.String(r.seeds[i], id), 2)
}

// check is 32 bits of id's second hash for kind index i.
func (r *replica) check(i int, id string) uint32 {
	return uint32(maphash.String(r.checks[i], id))
}

// find looks id up in kind index i's set, h being its hash, comparing ids
// in full; it takes no lock.
func (r *replica) find(i int, id string, h uint64) (held, bool) {
	return r.sets[i].Find(h, func(v *held) bool { return v.id() == id })
}

// lookup is find for a token's claims: it compares the slot's second
// hash, not the id's bytes, so that a hit reads nothing beyond the slot.
// The set is asked for the tag alone, which spares the call of a
// comparison per slot, and the second hash is computed once a slot is
// found; two ids under one tag, as rare as a 64-bit hash makes them, are
// then told apart by a second look.
func (r *replica) lookup(i int, id string, h uint64) (held, bool) {
	v, ok, _ := r.sets[i].FindTag(h)
	if !ok {
		return v, false
	}
	check := r.check(i, id)
	if v.check == check {
		return v, true
	}
	return r.sets[i].Find(h, func(v *held) bool { return v.check == check })
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
	// The bit goes in before the entry, so a reader that finds the entry
	// in the set was not turned away by the filter a moment earlier.
	f := r.filter.Load()
	if !loaded && (int(r.n.Load())+1)*bitsPerEntry > f.Bits() {
		f = r.rebuildLocked(int(r.n.Load()) + 1)
	}
	f.Set(h)
	r.sets[i].Put(h, newHeld(r.check(i, e.id), e.id, e.moment), func(v *held) bool { return v.id() == e.id })
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
func (r *replica) requeueLocked(i int) {
	q := make(queue, 0, r.counts[i])
	for _, v := range r.sets[i].All() {
		q = append(q, entry{kind: allKinds[i], id: v.id(), moment: v.moment})
	}
	heap.Init(&q)
	r.queues[i] = q
}

// popLocked removes kind i's lowest-ranked live entry when keep says so,
// and reports whether it removed one.
func (r *replica) popLocked(i int, keep func(entry) bool) bool {
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
		r.sets[i].Delete(h, func(v *held) bool { return v.id() == e.id })
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
	f := newFilter(2 * entries)
	for i := range r.sets {
		for h := range r.sets[i].All() {
			f.Set(h)
		}
	}
	r.filter.Store(f)
	r.stale = 0
	return f
}

// prune drops the entries whose moment is at or before cutoff, to the
// millisecond as Redis does: every token they match has expired. It costs
// what it drops, and returns how many.
func (r *replica) prune(cutoff int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i := range r.sets {
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
	for i := range r.sets {
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
	for i := range r.sets {
		for _, v := range r.sets[i].All() {
			if v.moment > cutoff {
				out = append(out, entry{kind: allKinds[i], id: v.id(), moment: v.moment})
			}
		}
	}
	return out
}

func (r *replica) len() int { return int(r.n.Load()) }

// refusedByCutoff is the subject rule of every list of the module
// (rules.SubjectCutoff): a token is refused when it was issued in a second
// before the cut-off's, iat < floor(before). iat has whole seconds, so a
// token of the cut-off's own second cannot be told from one issued just
// after it: it is admitted, so that the refresh a client makes right after
// RevokeSubject(sub, time.Now()) gets a token that passes instead of a
// refusal that asks it to refresh again. iat is in Unix seconds and
// before in Unix nanoseconds: a lookup compares integers.
func refusedByCutoff(iat, before int64) bool {
	return iat < rules.SubjectCutoffUnix(before)
}

// reason applies the same rules as revocation.List: a listed jti or
// origin_jti, or a subject whose token was issued before the cut-off.
// Each id is hashed once for its bit and slot, and looked up only when its
// bit is set. A jti comes first, alone: a token refused by it is answered
// without hashing the others. The other two bits are read before any
// branch on them, so that their loads overlap.
func (r *replica) reason(c *cognitojwt.Claims) cognitojwt.RevocationReason {
	if r.n.Load() == 0 {
		return cognitojwt.NotRevoked
	}
	f := r.filter.Load()
	if c.JWTID != "" {
		if h := r.hash(0, c.JWTID); f.Has(h) {
			if _, ok := r.lookup(0, c.JWTID, h); ok {
				return cognitojwt.RevokedToken
			}
		}
	}
	var family, subject uint64 // 0: no such claim; a hash is never 0
	if c.OriginJTI != "" {
		family = r.hash(1, c.OriginJTI)
	}
	if c.Subject != "" {
		subject = r.hash(2, c.Subject)
	}
	inFamily, inSubject := family != 0 && f.Has(family), subject != 0 && f.Has(subject)
	if inFamily {
		if _, ok := r.lookup(1, c.OriginJTI, family); ok {
			return cognitojwt.RevokedFamily
		}
	}
	if inSubject && r.subjectRefuses(c, subject) {
		return cognitojwt.RevokedSubject
	}
	return cognitojwt.NotRevoked
}

// subjectRefuses reports whether c's subject has a cut-off that refuses
// c, h being the subject's hash. A refreshed user's token passes its
// entry's cut-off, and when that entry is the only one under its tag it
// passes whoever the entry stands for (another subject's entry that lets
// it pass, or its own), so the second hash, which would only tell which,
// is not computed: that is a quarter of the hashing of what most hits
// are.
func (r *replica) subjectRefuses(c *cognitojwt.Claims, h uint64) bool {
	v, ok, only := r.sets[2].FindTag(h)
	if !ok {
		return false
	}
	iat := c.IssuedAt.Unix()
	if only && !refusedByCutoff(iat, v.moment) {
		return false
	}
	check := r.check(2, c.Subject)
	if v.check != check {
		// Another subject under the same tag: rare as a 64-bit hash
		// makes it.
		if v, ok = r.sets[2].Find(h, func(v *held) bool { return v.check == check }); !ok {
			return false
		}
	}
	return refusedByCutoff(iat, v.moment)
}
