package cognitojwt_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/revocation"
)

// revocationFixture is a fixture whose verifier consults a Revocations
// list on the fixture's clock.
type revocationFixture struct {
	*fixture
	list *revocation.List
	seen *outcomes
}

func newRevocationFixture(t *testing.T) *revocationFixture {
	t.Helper()
	f := &revocationFixture{seen: &outcomes{}}
	clk := newClock()
	var err error
	f.list, err = revocation.New(revocation.Config{Now: clk.Now})
	require.NoError(t, err)
	iss := newIssuer(t, clk)
	f.fixture = &fixture{clk: clk, iss: iss, v: newVerifier(t, iss, clk, func(c *cognitojwt.Config) {
		c.Revocations = f.list
		f.seen.hook(c)
	})}
	return f
}

// claimsOf verifies token, which must be valid, and returns its claims.
func (f *revocationFixture) claimsOf(t *testing.T, token string) *cognitojwt.Claims {
	t.Helper()
	c, err := f.verify(token)
	require.NoError(t, err)
	return c
}

const (
	revokedDescription = "The access token has been revoked."
	staleDescription   = "The access token predates a change to the account; refresh it or sign in again."
)

// requireRevoked asserts that err is ErrRevoked answered with description,
// and that neither the error nor the answer repeats the token's ids.
func requireRevoked(t *testing.T, err error, description string, c *cognitojwt.Claims) {
	t.Helper()
	requireKind(t, cognitojwt.ErrRevoked, err)
	status, code, desc := cognitojwt.ErrorStatus(err)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "invalid_token", code)
	require.Equal(t, description, desc)
	for _, id := range []string{c.JWTID, c.OriginJTI, c.Subject} {
		require.NotContains(t, err.Error(), id)
	}
}

func TestRevokeJTIRefusesThatTokenOnly(t *testing.T) {
	f := newRevocationFixture(t)
	token := f.iss.AccessToken(cognitotest.WithSubject("user-1"))
	sibling := f.iss.AccessToken(cognitotest.WithSubject("user-1"))
	c := f.claimsOf(t, token)
	f.claimsOf(t, sibling)

	f.list.RevokeJTI(c.JWTID)
	_, err := f.verify(token)
	requireRevoked(t, err, revokedDescription, c)
	require.True(t, f.seen.last(t).CacheHit, "refused on a cache hit")
	f.seen.check(t, f.fixture, sibling, nil, true)
}

func TestRevokeFamilyRefusesEveryTokenOfTheRefreshToken(t *testing.T) {
	f := newRevocationFixture(t)
	family := "5a0c2f0e-family"
	first := f.iss.AccessToken(cognitotest.WithClaim("origin_jti", family))
	refreshed := f.iss.AccessToken(cognitotest.WithClaim("origin_jti", family))
	id := f.iss.IDToken(cognitotest.WithClaim("origin_jti", family))
	other := f.iss.AccessToken()
	c := f.claimsOf(t, first)

	f.list.RevokeFamily(family)
	_, err := f.verify(first)
	requireRevoked(t, err, revokedDescription, c)
	// Never seen before: refused after the signature, on the full path.
	_, err = f.verify(refreshed)
	requireRevoked(t, err, revokedDescription, c)
	require.False(t, f.seen.last(t).CacheHit)
	require.True(t, f.list.Revoked(claimsFromIDToken(t, f, id)))
	f.seen.check(t, f.fixture, other, nil, false)
}

// claimsFromIDToken verifies an ID token of f's issuer with a verifier
// that accepts ID tokens and no revocation list.
func claimsFromIDToken(t *testing.T, f *revocationFixture, token string) *cognitojwt.Claims {
	t.Helper()
	v := newVerifier(t, f.iss, f.clk, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.IDToken })
	c, err := v.Verify(t.Context(), token)
	require.NoError(t, err)
	return c
}

// A token issued before its subject's cut-off is refused with a
// description that tells the client a refresh or a new sign-in will do;
// a token issued at or after the cut-off passes.
func TestRevokeSubjectRefusesTokensIssuedBeforeAndTellsClientToRefresh(t *testing.T) {
	f := newRevocationFixture(t)
	old := f.iss.AccessToken(cognitotest.WithSubject("user-1"))
	c := f.claimsOf(t, old)

	f.clk.Advance(time.Minute)
	f.list.RevokeSubject("user-1", f.clk.Now())
	_, err := f.verify(old)
	requireRevoked(t, err, staleDescription, c)
	require.True(t, f.seen.last(t).CacheHit)

	w := serve(cognitojwt.Middleware(f.v, cognitojwt.WithRealm("api"))(&probe{}), bearer(old))
	requireResponse(t, invalidToken(staleDescription), w)

	refreshed := f.iss.AccessToken(cognitotest.WithSubject("user-1"))
	f.seen.check(t, f.fixture, refreshed, nil, false)
	f.seen.check(t, f.fixture, f.iss.AccessToken(cognitotest.WithSubject("user-2")), nil, false)
}

// iat counts whole seconds, so a cut-off is taken at its second: a token
// issued in the cut-off's second passes, wherever in the second the
// cut-off falls, and a token of the second before is refused.
func TestRevokeSubjectCutoffAtTheSecond(t *testing.T) {
	f := newRevocationFixture(t)
	f.clk.Advance(time.Second - f.clk.Now().Sub(f.clk.Now().Truncate(time.Second)))
	second := f.clk.Now() // a whole second
	earlier := f.iss.AccessToken(cognitotest.WithSubject("user-1"), cognitotest.WithIssuedAt(second.Add(-time.Second)))
	same := f.iss.AccessToken(cognitotest.WithSubject("user-1"), cognitotest.WithIssuedAt(second))
	for _, within := range []time.Duration{0, time.Nanosecond, 500 * time.Millisecond, time.Second - time.Nanosecond} {
		f.list.RevokeSubject("user-1", second.Add(within))
		_, err := f.verify(earlier)
		requireKind(t, cognitojwt.ErrRevoked, err)
		f.seen.check(t, f.fixture, same, nil, within > 0)
	}
	f.list.RevokeSubject("user-1", second.Add(time.Second))
	_, err := f.verify(same)
	requireKind(t, cognitojwt.ErrRevoked, err)
}

// A user revoked by subject who refreshes at once is let in, on the real
// clock and with no sleep, a hundred times in a row: the cut-off is
// RevokeSubject(sub, time.Now()) and the token is minted right after it
// (iat in the same second, or the next). A token of an earlier second is
// refused each time.
func TestRevokeSubjectThenRefreshAtOnceIsAccepted(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	list, err := revocation.New(revocation.Config{})
	require.NoError(t, err)
	cfg := iss.Config(testClient)
	cfg.Revocations = list
	v, err := cognitojwt.New(cfg)
	require.NoError(t, err)
	for i := range 100 {
		sub := fmt.Sprintf("user-%d", i)
		stale := iss.AccessToken(cognitotest.WithSubject(sub), cognitotest.WithIssuedAt(time.Now().Add(-time.Second)))
		list.RevokeSubject(sub, time.Now())
		refreshed := iss.AccessToken(cognitotest.WithSubject(sub))
		_, err := v.Verify(t.Context(), refreshed)
		require.NoError(t, err, "attempt %d: the refresh right after the cut-off", i)
		_, err = v.Verify(t.Context(), stale)
		requireKind(t, cognitojwt.ErrRevoked, err)
	}
}

func TestRevokeSubjectCutoffNeverMovesBack(t *testing.T) {
	f := newRevocationFixture(t)
	token := f.iss.AccessToken(cognitotest.WithSubject("user-1"))
	f.list.RevokeSubject("user-1", f.clk.Now().Add(time.Second))
	f.list.RevokeSubject("user-1", f.clk.Now().Add(-time.Hour))
	_, err := f.verify(token)
	requireKind(t, cognitojwt.ErrRevoked, err)
}

func TestRevocationHonouredByMiddleware(t *testing.T) {
	f := newRevocationFixture(t)
	token := f.iss.AccessToken()
	c := f.claimsOf(t, token)
	f.list.RevokeJTI(c.JWTID)
	p := &probe{}
	w := serve(cognitojwt.Middleware(f.v, cognitojwt.WithRealm("api"))(p), bearer(token))
	requireResponse(t, invalidToken(revokedDescription), w)
	require.False(t, p.ran)
	requireNoSecrets(t, w, "Bearer "+token, primaryKey().KeyID)
}

// MultiVerifier honours each pool's list, both when a pool's cache
// answers and on the full path.
func TestRevocationHonouredByMultiVerifier(t *testing.T) {
	f := newRevocationFixture(t)
	cfg := f.iss.Config(testClient)
	cfg.Now = f.clk.Now
	cfg.Revocations = f.list
	m, err := cognitojwt.NewMulti(cfg)
	require.NoError(t, err)

	cached := f.iss.AccessToken()
	c, err := m.Verify(t.Context(), cached)
	require.NoError(t, err)
	f.list.RevokeJTI(c.JWTID)
	_, err = m.Verify(t.Context(), cached)
	requireRevoked(t, err, revokedDescription, c)

	fresh := f.iss.AccessToken(cognitotest.WithSubject("user-9"))
	f.clk.Advance(time.Second)
	f.list.RevokeSubject("user-9", f.clk.Now())
	_, err = m.Verify(t.Context(), fresh)
	requireKind(t, cognitojwt.ErrRevoked, err)
}

// revokeAll is a RevocationList of the caller's own that refuses every
// token by its jti.
type revokeAll struct{}

func (revokeAll) RevocationReason(*cognitojwt.Claims) cognitojwt.RevocationReason {
	return cognitojwt.RevokedToken
}

func TestRevocationListOfOnesOwnIsHonoured(t *testing.T) {
	f := newFixture(t, func(c *cognitojwt.Config) { c.Revocations = revokeAll{} })
	token := f.iss.AccessToken()
	for range 2 { // the full path, then the cache
		_, err := f.verify(token)
		requireKind(t, cognitojwt.ErrRevoked, err)
		_, _, desc := cognitojwt.ErrorStatus(err)
		require.Equal(t, revokedDescription, desc)
	}
	require.Equal(t, 1, cognitojwt.CachedTokens(f.v), "a revoked token is cached: replays cost a hash")
}

// A nil list in Config refuses nothing.
func TestRevocationsNilListInConfig(t *testing.T) {
	var none *revocation.List
	f := newFixture(t, func(cfg *cognitojwt.Config) { cfg.Revocations = none })
	_, err := f.verify(f.iss.AccessToken())
	require.NoError(t, err)
}

// reasonList is a RevocationList of the caller's own giving a fixed
// reason.
type reasonList cognitojwt.RevocationReason

func (l reasonList) RevocationReason(*cognitojwt.Claims) cognitojwt.RevocationReason {
	return cognitojwt.RevocationReason(l)
}

// Each reason a list gives maps to ErrRevoked with its description; a
// reason this package does not know is a plain revocation.
func TestRevocationReasonsOfAListOfOnesOwn(t *testing.T) {
	tests := []struct {
		reason cognitojwt.RevocationReason
		desc   string
	}{
		{cognitojwt.RevokedToken, revokedDescription},
		{cognitojwt.RevokedFamily, revokedDescription},
		{cognitojwt.RevokedSubject, staleDescription},
		{cognitojwt.RevocationReason(200), revokedDescription},
	}
	for _, tt := range tests {
		f := newFixture(t, func(c *cognitojwt.Config) { c.Revocations = reasonList(tt.reason) })
		_, err := f.verify(f.iss.AccessToken())
		requireKind(t, cognitojwt.ErrRevoked, err)
		_, _, desc := cognitojwt.ErrorStatus(err)
		require.Equal(t, tt.desc, desc, "reason %d", tt.reason)
	}
	f := newFixture(t, func(c *cognitojwt.Config) { c.Revocations = reasonList(cognitojwt.NotRevoked) })
	_, err := f.verify(f.iss.AccessToken())
	require.NoError(t, err)
}

// keyedSpy is a KeyedRevocationList around a revocation.List that counts
// how the verifiers ask it: the keys it made, the keyed lookups given the
// key it makes for the claims asked about (a cache hit, as it should be
// asked), the keyed lookups given any other key, and the lookups that
// hash.
type keyedSpy struct {
	*revocation.List
	keys, keyed, otherKey, hashed atomic.Int64
}

func (s *keyedSpy) RevocationKey(c *cognitojwt.Claims) cognitojwt.RevocationKey {
	s.keys.Add(1)
	return s.List.RevocationKey(c)
}

func (s *keyedSpy) RevocationReason(c *cognitojwt.Claims) cognitojwt.RevocationReason {
	s.hashed.Add(1)
	return s.List.RevocationReason(c)
}

func (s *keyedSpy) RevocationReasonKeyed(c *cognitojwt.Claims, k *cognitojwt.RevocationKey) cognitojwt.RevocationReason {
	if k != nil && *k == s.List.RevocationKey(c) {
		s.keyed.Add(1)
	} else {
		s.otherKey.Add(1)
	}
	return s.List.RevocationReasonKeyed(c, k)
}

// keyedPath verifies token through one of the module's ways in, and
// requires it to pass (description "") or to be refused as revoked with
// description.
type keyedPath func(t *testing.T, token, description string)

func keyedPaths(v interface {
	cognitojwt.TokenVerifier
	VerifyInto(context.Context, string, *cognitojwt.Claims) error
}) map[string]keyedPath {
	answer := func(t *testing.T, err error, description string) {
		t.Helper()
		if description == "" {
			require.NoError(t, err)
			return
		}
		requireKind(t, cognitojwt.ErrRevoked, err)
		_, _, desc := cognitojwt.ErrorStatus(err)
		require.Equal(t, description, desc)
	}
	return map[string]keyedPath{
		"Verify": func(t *testing.T, token, description string) {
			_, err := v.Verify(t.Context(), token)
			answer(t, err, description)
		},
		"VerifyInto": func(t *testing.T, token, description string) {
			var c cognitojwt.Claims
			answer(t, v.VerifyInto(t.Context(), token, &c), description)
		},
		"Middleware": func(t *testing.T, token, description string) {
			p := &probe{}
			w := serve(cognitojwt.Middleware(v, cognitojwt.WithRealm("api"))(p), bearer(token))
			if description == "" {
				require.Equal(t, http.StatusOK, w.Code)
				require.True(t, p.ran)
				return
			}
			requireResponse(t, invalidToken(description), w)
			require.False(t, p.ran)
		},
	}
}

// A list that makes keys is asked for one when a token is cached, and
// each hit asks it with that key, not by hashing; a revocation made after
// the token was cached, by jti, by family or by a subject's cut-off,
// refuses it on its very next hit, through Verify, VerifyInto, a
// MultiVerifier and the middleware.
func TestKeyedListRefusesACachedTokenOnItsNextHit(t *testing.T) {
	for _, multi := range []bool{false, true} {
		for _, reason := range []string{"jti", "family", "subject"} {
			for _, name := range []string{"Verify", "VerifyInto", "Middleware"} {
				t.Run(fmt.Sprintf("multi=%v/%s/%s", multi, reason, name), func(t *testing.T) {
					f := newRevocationFixture(t)
					spy := &keyedSpy{List: f.list}
					cfg := f.iss.Config(testClient)
					cfg.Now, cfg.Revocations = f.clk.Now, spy
					var path keyedPath
					if multi {
						m, err := cognitojwt.NewMulti(cfg)
						require.NoError(t, err)
						path = keyedPaths(m)[name]
					} else {
						v, err := cognitojwt.New(cfg)
						require.NoError(t, err)
						path = keyedPaths(v)[name]
					}
					token := f.iss.AccessToken(cognitotest.WithSubject("user-1"), cognitotest.WithClaim("origin_jti", "family-1"))
					path(t, token, "") // verified and cached
					path(t, token, "") // a hit
					require.Equal(t, int64(1), spy.keys.Load(), "one key, made when the token was cached")
					hits := spy.keyed.Load()
					require.Positive(t, hits, "a hit asks with the cached key")

					c := f.claimsOf(t, token)
					description := revokedDescription
					switch reason {
					case "jti":
						f.list.RevokeJTI(c.JWTID)
					case "family":
						f.list.RevokeFamily("family-1")
					default:
						f.clk.Advance(time.Minute)
						f.list.RevokeSubject("user-1", f.clk.Now())
						description = staleDescription
					}
					path(t, token, description)
					require.Equal(t, hits+1, spy.keyed.Load(), "refused on a hit, with the cached key")
					require.Equal(t, int64(1), spy.keys.Load(), "refused on a hit, not re-verified")
					require.Zero(t, spy.otherKey.Load())
					require.Zero(t, spy.hashed.Load(), "no lookup hashed")
				})
			}
		}
	}
}

// Hits on cached tokens race revocations of them: the revoker's own next
// hit refuses each token it revoked, readers' hits answer each token
// either way until then, and every revoked token is refused at the end.
// Run under -race.
func TestKeyedHitsRaceRevocations(t *testing.T) {
	f := newRevocationFixture(t)
	tokens := make([]string, 16)
	jtis := make([]string, len(tokens))
	for i := range tokens {
		tokens[i] = f.iss.AccessToken()
		jtis[i] = f.claimsOf(t, tokens[i]).JWTID
	}
	var readers sync.WaitGroup
	var done atomic.Bool
	errs := make(chan error, 4)
	for range 3 {
		readers.Go(func() {
			for n := 0; !done.Load(); n++ {
				if _, err := f.verify(tokens[n%len(tokens)]); err != nil && !errors.Is(err, cognitojwt.ErrRevoked) {
					errs <- err
					return
				}
			}
		})
	}
	for i, jti := range jtis {
		f.list.RevokeJTI(jti)
		if _, err := f.verify(tokens[i]); !errors.Is(err, cognitojwt.ErrRevoked) {
			t.Errorf("token %d: %v right after its revocation", i, err)
		}
	}
	done.Store(true)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, token := range tokens {
		_, err := f.verify(token)
		require.ErrorIs(t, err, cognitojwt.ErrRevoked, "token %d", i)
	}
}

// A list that makes keys costs a hit no allocation: Verify's hit still
// allocates the caller's Claims alone, VerifyInto's nothing (a
// MultiVerifier's too), and the middleware's its request value alone,
// whether the list answers from its filter or reads a table line.
func TestKeyedListHitsAllocateAsBefore(t *testing.T) {
	f := newRevocationFixture(t)
	ctx := t.Context()
	token := f.iss.AccessToken(cognitotest.WithSubject("user-1"))
	for i := range 1000 {
		f.list.RevokeJTI(fmt.Sprint("other-", i))
	}
	cfg := f.iss.Config(testClient)
	cfg.Now, cfg.Revocations = f.clk.Now, f.list
	m, err := cognitojwt.NewMulti(cfg)
	require.NoError(t, err)
	var dst cognitojwt.Claims
	mw := cognitojwt.Middleware(f.v)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	w := &discardWriter{h: http.Header{}}
	r := bearer(token)
	for _, own := range []bool{false, true} {
		if own { // a cut-off the token passes, from its subject's own entry
			f.list.RevokeSubject("user-1", f.clk.Now().Add(-time.Hour))
		}
		require.NoError(t, f.v.VerifyInto(ctx, token, &dst))
		require.NoError(t, m.VerifyInto(ctx, token, &dst))
		require.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _, _ = f.v.Verify(ctx, token) }), "Verify, own entry %v", own)
		require.Zero(t, testing.AllocsPerRun(100, func() { _ = f.v.VerifyInto(ctx, token, &dst) }), "VerifyInto, own entry %v", own)
		require.Zero(t, testing.AllocsPerRun(100, func() { _ = m.VerifyInto(ctx, token, &dst) }), "MultiVerifier.VerifyInto, own entry %v", own)
		require.Equal(t, 1.0, testing.AllocsPerRun(100, func() { mw.ServeHTTP(w, r) }), "Middleware, own entry %v", own)
		require.NoError(t, f.v.VerifyInto(ctx, token, &dst), "own entry %v", own)
	}
}
