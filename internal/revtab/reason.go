package revtab

import (
	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/hashtab"
)

// Reason reports which entry refuses c, if any: its jti first, then its
// family (origin_jti), then its subject, whose entry refuses a token
// issued in a second before its cut-off. It takes no lock.
//
// Go 1.26 compiles it once per shape of V and calls V's methods through
// a dictionary: on a hit at a million entries it measured 40-70% slower
// than the same steps written for one type (BenchmarkRevocationReason,
// cold tables), so revocation.List and redisstore's replica, whose hits
// are what a refreshed user's every request costs, write them out for
// their own values and are held to these rules by their tests.
func (s *Set[V]) Reason(c *cognitojwt.Claims) cognitojwt.RevocationReason {
	f := s.filter.Load()
	if f == nil || c == nil {
		return cognitojwt.NotRevoked
	}
	// The hasher was stored before the first filter.
	h := s.hasher.Load()
	tags, in := h.probe(f, c)
	if !in[JTI] && !in[Family] && !in[Subject] {
		return cognitojwt.NotRevoked
	}
	if in[JTI] && s.listed(h, JTI, c.JWTID, tags[JTI]) {
		return cognitojwt.RevokedToken
	}
	if in[Family] && s.listed(h, Family, c.OriginJTI, tags[Family]) {
		return cognitojwt.RevokedFamily
	}
	// A user revoked by subject is refreshed and then asks here on every
	// request until the entry expires: that path reads one line of the
	// subjects' table.
	if in[Subject] && s.subjectRefuses(h, c, tags[Subject]) {
		return cognitojwt.RevokedSubject
	}
	return cognitojwt.NotRevoked
}

// probe returns the tags of c's ids, and which of them f holds the bits
// of; the claims c lacks are not hashed, and f holds none of their bits.
// Each id is hashed once for its bits and tag, and the three filter words
// are read before any branch on them, so that their loads overlap: on a
// miss or a subject's hit, what nearly every request is, that measured
// faster than looking a jti up alone first, which only a refused token
// gains by. The tags come back apart from the filter's answers, never
// masked by them, so that a table's line is addressed by the tag alone
// and the processor, predicting the branch on the filter's word, may load
// it while that word is still on its way. probe is not generic, so that
// the compiler inlines the filter's reads into it: Go 1.26 left them
// calls in Set's methods (go build -gcflags=-m). An id's second
// hash is computed by the caller once a slot's tag matches: the table's
// load is issued first, which measured faster than computing it before,
// while the load waited behind the hash's instructions.
func (h *Hasher) probe(f *hashtab.Filter, c *cognitojwt.Claims) (tags [Kinds]uint64, in [Kinds]bool) {
	if c.JWTID != "" {
		tags[JTI] = h.Tag(JTI, c.JWTID)
	}
	if c.OriginJTI != "" {
		tags[Family] = h.Tag(Family, c.OriginJTI)
	}
	if c.Subject != "" {
		tags[Subject] = h.Tag(Subject, c.Subject)
	}
	// A tag is never 0: 0 is a claim c lacks.
	in[JTI], in[Family], in[Subject] = tags[JTI] != 0 && f.Has(tags[JTI]), tags[Family] != 0 && f.Has(tags[Family]), tags[Subject] != 0 && f.Has(tags[Subject])
	return tags, in
}

// listed reports whether id has an entry of kind, tag being its first
// hash. The table is asked for the tag alone, which spares the call of a
// comparison per slot that a hit would make; two ids under one tag, as
// rare as a 64-bit hash makes them, are then told apart by a second look.
func (s *Set[V]) listed(h *Hasher, kind Kind, id string, tag uint64) bool {
	t := &s.tables[kind]
	v, ok, _ := t.FindTag(tag)
	if !ok {
		return false
	}
	check := h.Check(kind, id)
	if v.Check() == check {
		return true
	}
	// Another id under the same tag: rare as a 64-bit hash makes it.
	_, ok = s.Find(kind, tag, check)
	return ok
}

// subjectRefuses reports whether c's subject has a cut-off after c's iat
// (iat < cut-off, in whole seconds: Unix rounds down), tag being the
// subject's first hash. A refreshed user's token passes its entry's
// cut-off, and when that entry is the only one under its tag it passes
// whoever the entry stands for (another subject's entry that lets it
// pass, or its own), so the second hash, which would only tell which, is
// not computed: that is a quarter of the hashing of what most hits are.
// A refusal always checks both hashes.
func (s *Set[V]) subjectRefuses(h *Hasher, c *cognitojwt.Claims, tag uint64) bool {
	t := &s.tables[Subject]
	v, ok, only := t.FindTag(tag)
	if !ok {
		return false
	}
	iat := c.IssuedAt.Unix()
	if only && iat >= v.Cutoff() {
		return false
	}
	check := h.Check(Subject, c.Subject)
	if only {
		return v.Check() == check
	}
	// Other entries under the tag, as rare as a 64-bit hash makes them:
	// the token is refused if any with its second hash refuses it, so
	// that even two subjects that share both hashes (a writer that keeps
	// ids whole may hold both) refuse, never admit, each other's tokens.
	refused := false
	t.Find(tag, func(v *V) bool {
		refused = (*v).Check() == check && iat < (*v).Cutoff()
		return refused
	})
	return refused
}
