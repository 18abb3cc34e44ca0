package web

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// codec keeps sessions between requests: in cookies (cookieCodec), or in
// a Store with only the session's id in a cookie (storeCodec). The rest of
// the package speaks to this interface alone and never asks which.
type codec interface {
	// load opens the session the request's cookies name. stale reports
	// that something was sealed with a key other than the first, so that
	// writing it again moves it to the current key.
	load(ctx context.Context, c *cookieSet, s *session) (stale bool, err error)
	// openRefresh fills in s.refresh, or leaves it empty when it is
	// missing or does not belong to s. c is nil where no request's
	// cookies are at hand (the shared refresh): a store's record still
	// opens, cookies do not.
	openRefresh(c *cookieSet, s *session)
	// write keeps s after a request changed it (what says how much), or
	// after sign-in (saveAll on a session never kept before).
	write(ctx context.Context, w http.ResponseWriter, c *cookieSet, s *session, what saveWhat) error
	// current reads s again where it is kept, for a refresh to find out
	// whether another request refreshed first: nil when it is gone.
	// Cookies hold only what the request brought, so cookieCodec answers
	// s itself.
	current(ctx context.Context, s *session) (*session, error)
	// replace keeps next in place of s only if s is still what is kept,
	// and reports whether it did (cookieCodec always does: the caller
	// writes the cookies).
	replace(ctx context.Context, s, next *session) (bool, error)
	// remove deletes s where it is kept; the caller clears the cookies.
	remove(ctx context.Context, s *session) error
}

// saveWhat says what changed since the session was read.
type saveWhat int

const (
	saveTouched   saveWhat = iota // the last-seen time
	saveRefreshed                 // the tokens
	saveAll                       // everything: sign-in, or a key rotation
)

// Purposes bind each sealed value to its use: a sealed session id can not
// be passed off as a session, nor a sign-in flow as either.
const (
	purposeSession = "cognitojwt/web session v2"
	purposeRef     = "cognitojwt/web session id"
	purposeStore   = "cognitojwt/web stored session v2 "
	purposeFlow    = "cognitojwt/web sign-in"
	purposeRefresh = "cognitojwt/web refresh token "
)

// The jars of a session, in a cookieSet. The access token had a cookie of
// its own in earlier versions: it is only cleared now.
const (
	jarSession = iota
	jarRefresh
	jarOldAccess
	jarCount
)

// cookieSet is one request's session cookies, read from its Cookie header
// in one pass (see Auth.cookies).
type cookieSet struct {
	jars [jarCount]jarValue
	// sessionParts caches jars[jarSession].parts(), which may run once.
	sessionParts []string
	parsed       bool
}

// cookies reads the request's session cookies.
func (a *Auth) cookies(r *http.Request, c *cookieSet) {
	scanCookies(r, a.jars[:], c.jars[:])
}

func (c *cookieSet) session() []string {
	if !c.parsed {
		c.sessionParts, c.parsed = c.jars[jarSession].parts(), true
	}
	return c.sessionParts
}

// clear deletes every session cookie the request carried.
func (a *Auth) clearCookies(w http.ResponseWriter, c *cookieSet) {
	a.jars[jarSession].clear(w, c.jars[jarSession].count)
	for i := jarRefresh; i < jarCount; i++ {
		if n := c.jars[i].count; n > 0 {
			a.jars[i].clear(w, n)
		}
	}
}

// cookieCodec keeps the session in two cookies: the session (times and
// both tokens but the refresh token), opened by every request, and the
// refresh token, opened only to refresh and to sign out.
type cookieCodec struct {
	a      *Auth
	opened *openCache
}

func (k cookieCodec) load(_ context.Context, c *cookieSet, s *session) (bool, error) {
	parts := c.session()
	if o := k.opened.get(parts); o != nil {
		*s = o.s
		return o.stale, nil
	}
	pt, idx, err := k.a.seal.open(purposeSession, parts...)
	if err != nil {
		return false, because(ErrNoSession, "cookie does not open")
	}
	if s.decode(pt) != nil {
		return false, because(ErrNoSession, "cookie holds no session")
	}
	s.verified = new(verifiedTokens)
	k.opened.put(parts, s, idx > 0)
	return idx > 0, nil
}

func (k cookieCodec) openRefresh(c *cookieSet, s *session) {
	if s.refresh != "" || c == nil {
		// Without the request's cookies (the shared refresh, which runs
		// on a goroutine of its own) there is nothing more to open: the
		// request opened the cookie already, or it did not open.
		return
	}
	parts := c.jars[jarRefresh].parts()
	if parts == nil {
		return
	}
	if pt, _, err := k.a.seal.open(purposeRefresh+s.id, parts...); err == nil {
		s.refresh = string(pt)
	}
}

func (k cookieCodec) write(_ context.Context, w http.ResponseWriter, c *cookieSet, s *session, what saveWhat) error {
	a := k.a
	left := a.left(s)
	sealed, rt := a.seal.seal(purposeSession, s.encode()), ""
	if what >= saveRefreshed && s.refresh != "" {
		rt = a.seal.seal(purposeRefresh+s.id, []byte(s.refresh))
	}
	if !fits(sealed) || !fits(rt) {
		// Written anyway, the browser would be sent chunks that no
		// request can read back: a sign-in that signs no one in.
		return errTooLarge
	}
	a.jars[jarSession].write(w, sealed, left, c.jars[jarSession].count)
	if what >= saveRefreshed {
		j, had := a.jars[jarRefresh], c.jars[jarRefresh].count
		if rt == "" {
			j.clear(w, had)
		} else {
			j.write(w, rt, left, had)
		}
		if n := c.jars[jarOldAccess].count; n > 0 {
			a.jars[jarOldAccess].clear(w, n)
		}
	}
	return nil
}

func (cookieCodec) current(_ context.Context, s *session) (*session, error) { return s, nil }

func (cookieCodec) replace(context.Context, *session, *session) (bool, error) { return true, nil }

func (cookieCodec) remove(context.Context, *session) error { return nil }

// left is what remains of s's absolute lifetime: the cookies' Max-Age and
// the longest a store keeps the record.
func (a *Auth) left(s *session) time.Duration { return a.absolute - a.now().Sub(s.created) }

// errTooLarge: the session's tokens need more cookies than a request may
// bring back (maxChunks), as custom claims or hundreds of groups can make
// them; a Store keeps any size.
var errTooLarge = because(ErrSignIn, "session too large for cookies; set Config.Store")

// errChanged: a write found the session changed or gone meanwhile, and
// left it as it was.
var errChanged = errors.New("web: session changed meanwhile; not written")
