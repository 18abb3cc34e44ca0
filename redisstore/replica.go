package redisstore

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitojwt/cognitojwt"
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
	moment int64 // Unix milliseconds
}

// replica is the local copy that Revoked reads. Entries only ever merge in
// (keeping the later moment) and leave by expiry: a revocation is never
// taken back, so applying pub/sub messages, resynchronisations and local
// writes in any order converges to the same set.
//
// The sets are sync.Maps: their lookups take no lock, so concurrent
// requests on several cores do not contend on a reader count the way a
// read-write mutex makes them (measured in BenchmarkRevoked), and a flood
// of revocations does not stall the requests being verified.
type replica struct {
	n    atomic.Int64    // entries held; lets an empty replica answer with one load
	sets [kinds]sync.Map // id -> moment (int64, Unix milliseconds)
}

func newReplica() *replica { return &replica{} }

// add merges e and reports whether it changed anything.
func (r *replica) add(e entry) bool {
	set := &r.sets[e.kind.index()]
	for {
		cur, loaded := set.LoadOrStore(e.id, e.moment)
		if !loaded {
			r.n.Add(1)
			return true
		}
		if cur.(int64) >= e.moment {
			return false
		}
		if set.CompareAndSwap(e.id, cur, e.moment) {
			return true
		}
		// Raised or pruned meanwhile: look again.
	}
}

// prune drops the entries whose moment is at or before cutoff: every token
// they match has expired.
func (r *replica) prune(cutoff int64) {
	for i := range r.sets {
		set := &r.sets[i]
		set.Range(func(id, m any) bool {
			if m.(int64) <= cutoff && set.CompareAndDelete(id, m) {
				r.n.Add(-1)
			}
			return true
		})
	}
}

// snapshot returns every entry newer than cutoff.
func (r *replica) snapshot(cutoff int64) []entry {
	out := make([]entry, 0, r.n.Load())
	for i := range r.sets {
		r.sets[i].Range(func(id, m any) bool {
			if m.(int64) > cutoff {
				out = append(out, entry{kind: allKinds[i], id: id.(string), moment: m.(int64)})
			}
			return true
		})
	}
	return out
}

func (r *replica) len() int { return int(r.n.Load()) }

// revoked applies the same rules as cognitojwt.Revocations: a listed jti or
// origin_jti, or a subject whose token was issued before the cut-off.
func (r *replica) revoked(c *cognitojwt.Claims) bool {
	if r.n.Load() == 0 {
		return false
	}
	if c.JWTID != "" {
		if _, ok := r.sets[0].Load(c.JWTID); ok {
			return true
		}
	}
	if c.OriginJTI != "" {
		if _, ok := r.sets[1].Load(c.OriginJTI); ok {
			return true
		}
	}
	if c.Subject != "" {
		if before, ok := r.sets[2].Load(c.Subject); ok && c.IssuedAt.Before(time.UnixMilli(before.(int64))) {
			return true
		}
	}
	return false
}
