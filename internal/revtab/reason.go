package revtab

import "github.com/cognitojwt/cognitojwt"

// Reason reports which entry refuses c, if any: its jti first, then its
// family (origin_jti), then its subject, whose entry refuses a token
// issued in a second before its cut-off. It takes no lock.
//
// Each id is hashed once for its bits and tag (never 0, so 0 stands for a
// claim c lacks, which is not hashed), and the three filter words are
// read before any branch on them, so that their loads overlap: on a miss
// or a subject's hit, what nearly every request is, that measured faster
// than looking a jti up alone first, which only a refused token gains by.
// An id's second hash is computed once a slot's tag matches: the table's
// load is issued first, which measured faster than computing it before,
// while the load waited behind the hash's instructions.
func (s *Set[V]) Reason(c *cognitojwt.Claims) cognitojwt.RevocationReason {
	f := s.filter.Load()
	if f == nil || c == nil {
		return cognitojwt.NotRevoked
	}
	// The hasher was stored before the first filter.
	h := s.hasher.Load()
	var jti, family, subject uint64
	if c.JWTID != "" {
		jti = h.Tag(JTI, c.JWTID)
	}
	if c.OriginJTI != "" {
		family = h.Tag(Family, c.OriginJTI)
	}
	if c.Subject != "" {
		subject = h.Tag(Subject, c.Subject)
	}
	inJTI, inFamily, inSubject := jti != 0 && f.Has(jti), family != 0 && f.Has(family), subject != 0 && f.Has(subject)
	if !inJTI && !inFamily && !inSubject {
		return cognitojwt.NotRevoked
	}
	if inJTI && s.listed(h, JTI, c.JWTID, jti) {
		return cognitojwt.RevokedToken
	}
	if inFamily && s.listed(h, Family, c.OriginJTI, family) {
		return cognitojwt.RevokedFamily
	}
	// A user revoked by subject is refreshed and then asks here on every
	// request until the entry expires: that path reads one line of the
	// subjects' table.
	if inSubject && s.subjectRefuses(h, c, subject) {
		return cognitojwt.RevokedSubject
	}
	return cognitojwt.NotRevoked
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
	if v.Check() != check {
		// Another subject under the same tag: rare as a 64-bit hash
		// makes it.
		if v, ok = s.Find(Subject, tag, check); !ok {
			return false
		}
	}
	return iat < v.Cutoff()
}
