package cognitojwt_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// revocationFixture is a fixture whose verifier consults a Revocations
// list on the fixture's clock.
type revocationFixture struct {
	*fixture
	list *cognitojwt.Revocations
	seen *outcomes
}

func newRevocationFixture(t *testing.T) *revocationFixture {
	t.Helper()
	f := &revocationFixture{seen: &outcomes{}}
	clk := newClock()
	var err error
	f.list, err = cognitojwt.NewRevocationsWith(cognitojwt.RevocationsConfig{Now: clk.Now})
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

// iat counts whole seconds: a cut-off inside a second refuses the tokens
// issued in that second; a cut-off on the second admits them.
func TestRevokeSubjectCutoffWithinASecond(t *testing.T) {
	f := newRevocationFixture(t)
	token := f.iss.AccessToken(cognitotest.WithSubject("user-1"))
	f.list.RevokeSubject("user-1", f.clk.Now())
	f.seen.check(t, f.fixture, token, nil, false)
	f.list.RevokeSubject("user-1", f.clk.Now().Add(500*time.Millisecond))
	_, err := f.verify(token)
	requireKind(t, cognitojwt.ErrRevoked, err)
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

// revokeAll is a RevocationList of the caller's own that gives no reason.
type revokeAll struct{}

func (revokeAll) Revoked(*cognitojwt.Claims) bool { return true }

func TestRevocationListWithoutReasonIsHonoured(t *testing.T) {
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

func TestRevocationsZeroValueAndNilAreEmptyLists(t *testing.T) {
	var zero cognitojwt.Revocations
	c := &cognitojwt.Claims{Subject: "s", JWTID: "j", OriginJTI: "o"}
	require.False(t, zero.Revoked(c))
	zero.RevokeJTI("j")
	require.True(t, zero.Revoked(c))
	require.Equal(t, 1, zero.Len())

	var none *cognitojwt.Revocations
	require.False(t, none.Revoked(c))
	require.Zero(t, none.Len())
	none.RevokeJTI("j") // no panic, no effect
	f := newFixture(t, func(cfg *cognitojwt.Config) { cfg.Revocations = none })
	_, err := f.verify(f.iss.AccessToken())
	require.NoError(t, err)
}

func TestRevocationsIgnoreEmptyIDs(t *testing.T) {
	list := cognitojwt.NewRevocations()
	list.RevokeJTI("")
	list.RevokeFamily("")
	list.RevokeSubject("", time.Now())
	require.Zero(t, list.Len())
	require.False(t, list.Revoked(&cognitojwt.Claims{}))
}

func TestNewRevocationsWithRejectsNegativeBounds(t *testing.T) {
	for _, cfg := range []cognitojwt.RevocationsConfig{{MaxAge: -time.Second}, {MaxEntries: -1}} {
		_, err := cognitojwt.NewRevocationsWith(cfg)
		require.ErrorIs(t, err, cognitojwt.ErrInvalidConfig)
	}
}

// An entry leaves once MaxAge has passed since the moment it refers to:
// no token it matches can still be valid.
func TestRevocationEntriesExpireAfterMaxAge(t *testing.T) {
	clk := newClock()
	list, err := cognitojwt.NewRevocationsWith(cognitojwt.RevocationsConfig{MaxAge: time.Hour, Now: clk.Now})
	require.NoError(t, err)
	list.RevokeJTI("j1")
	list.RevokeFamily("f1")
	list.RevokeSubject("s1", clk.Now())
	require.Equal(t, 3, list.Len())

	clk.Advance(time.Hour - time.Second)
	list.RevokeJTI("j2")
	require.Equal(t, 4, list.Len(), "nothing expires before MaxAge")

	clk.Advance(time.Second)
	list.RevokeJTI("j3")
	require.Equal(t, 2, list.Len(), "the first three leave at MaxAge")
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: "j1"}))
	require.True(t, list.Revoked(&cognitojwt.Claims{JWTID: "j2"}))
	require.Zero(t, list.Dropped())

	clk.Advance(2 * time.Hour)
	list.RevokeSubject("s2", clk.Now().Add(-2*time.Hour)) // already past its MaxAge: not kept
	require.Zero(t, list.Len())
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: "j3"}))
}

// The At variants let a replica apply a revocation made elsewhere: the
// entry expires MaxAge after the original moment, not after its arrival.
func TestRevokeAtExpiresFromTheOriginalMoment(t *testing.T) {
	clk := newClock()
	list, err := cognitojwt.NewRevocationsWith(cognitojwt.RevocationsConfig{Now: clk.Now})
	require.NoError(t, err)
	list.RevokeJTIAt("j", clk.Now().Add(-23*time.Hour))
	list.RevokeFamilyAt("f", clk.Now().Add(-23*time.Hour))
	require.True(t, list.Revoked(&cognitojwt.Claims{JWTID: "j"}))
	require.True(t, list.Revoked(&cognitojwt.Claims{OriginJTI: "f"}))

	// Applied again later, as a resynchronisation does: no extension.
	list.RevokeJTIAt("j", clk.Now().Add(-23*time.Hour))
	clk.Advance(time.Hour)
	list.RevokeJTI("other")
	require.Equal(t, 1, list.Len())
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: "j"}))

	list.RevokeJTIAt("late", clk.Now().Add(-25*time.Hour))
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: "late"}), "already past its MaxAge")
}

// Under a flood of revocations the list never holds more than MaxEntries:
// the oldest entries are dropped and counted, the newest are honoured.
func TestRevocationsBoundedUnderFlood(t *testing.T) {
	const max = 1000
	list, err := cognitojwt.NewRevocationsWith(cognitojwt.RevocationsConfig{MaxEntries: max})
	require.NoError(t, err)
	ids := make([]string, 10*max)
	for i := range ids {
		ids[i] = strings.Repeat("x", 8) + "-" + time.Duration(i).String()
		switch i % 3 {
		case 0:
			list.RevokeJTI(ids[i])
		case 1:
			list.RevokeFamily(ids[i])
		default:
			list.RevokeSubject(ids[i], time.Now())
		}
		require.LessOrEqual(t, list.Len(), max)
	}
	require.Equal(t, max, list.Len())
	require.Equal(t, uint64(len(ids)-max), list.Dropped())
	last := ids[len(ids)-1]
	require.True(t, list.Revoked(&cognitojwt.Claims{JWTID: last}))
	require.False(t, list.Revoked(&cognitojwt.Claims{JWTID: ids[0]}))
}

// Readers and writers at once: run under -race.
func TestRevocationsConcurrentUse(t *testing.T) {
	list := cognitojwt.NewRevocations()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 500 {
				id := strings.Repeat(string(rune('a'+w)), 4) + time.Duration(i).String()
				list.RevokeJTI(id)
				if !list.Revoked(&cognitojwt.Claims{JWTID: id}) {
					t.Errorf("%s not revoked right after RevokeJTI", id)
					return
				}
				list.Revoked(&cognitojwt.Claims{JWTID: "never", Subject: id})
			}
		})
	}
	wg.Wait()
	require.Equal(t, 2000, list.Len())
}

// reasonList is a RevocationReasoner of the caller's own giving a fixed
// reason.
type reasonList cognitojwt.RevocationReason

func (l reasonList) Revoked(c *cognitojwt.Claims) bool {
	return l.RevocationReason(c) != cognitojwt.NotRevoked
}
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
