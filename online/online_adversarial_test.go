package online_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/online"
	"github.com/cognitojwt/cognitojwt/revocation"
)

// A web session puts the ID token's claims in the context and hands its
// access token through Config.Token: the ID token has no scope claim, so
// its claims must not decide the access token's scope, while a revocation
// Cognito reports is still recorded for the session's user.
func TestRequireFreshUnderWebSessionChecksTheAccessTokensScope(t *testing.T) {
	var access string
	e := newEnv(t, func(c *online.Config) {
		c.Token = func(*http.Request) (string, bool) { return access, access != "" }
	})
	tok := e.signIn(t, "alice", nil)
	access = tok.AccessToken
	ids, err := cognitojwt.New(cognitojwt.Config{Issuer: e.pool.Issuer(), ClientIDs: []string{client}, TokenUse: cognitojwt.IDToken})
	require.NoError(t, err)
	var s seen
	h := cognitojwt.Middleware(ids)(e.checker.RequireFresh(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.user, _ = online.UserFromContext(r.Context())
	})))
	page := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/account", nil)
		r.Header.Set("Authorization", "Bearer "+tok.IDToken)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := page()
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, "alice", s.user.Username)

	require.NoError(t, e.pool.GlobalSignOut("alice"))
	e.clk.Advance(online.DefaultVerdictTTL)
	w = page()
	require.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
	idClaims, err := ids.Verify(t.Context(), tok.IDToken)
	require.NoError(t, err)
	require.True(t, e.list.Revoked(idClaims), "the session's user is refused locally from now on")
}

// UserInfo answers 401 alike for an expired and a revoked token. A token
// the verifier still accepted within its leeway, but past exp by the time
// Cognito saw it, is expired: recording its family as revoked would lock
// the user's refreshed tokens (same origin_jti) out for a day.
func TestUserInfoUnauthorizedForAnExpiredTokenRecordsNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	list := new(revocation.List)
	now := time.Unix(1_800_000_000, 0)
	c, err := online.New(online.Config{Region: "us-east-1", Domain: srv.URL, Revocations: online.Local(list),
		Now: func() time.Time { return now }})
	require.NoError(t, err)
	claims := &cognitojwt.Claims{Subject: "sub-1", OriginJTI: "family-1", TokenUse: cognitojwt.AccessToken,
		Scopes: cognitojwt.NamesOf("openid"), IssuedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-10 * time.Second)}
	_, err = c.UserInfo(t.Context(), "expired-token", claims)
	require.ErrorIs(t, err, cognitojwt.ErrExpired)
	refreshed := *claims
	refreshed.IssuedAt, refreshed.ExpiresAt = now, now.Add(time.Hour)
	require.False(t, list.Revoked(&refreshed), "the refreshed token of the same sign-in is not refused")

	// A token with time left that Cognito refuses is revoked, and recorded.
	claims.ExpiresAt = now.Add(30 * time.Minute)
	_, err = c.UserInfo(t.Context(), "revoked-token", claims)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
	require.True(t, list.Revoked(&refreshed))
}

// Cognito's refusals of the user (a password reset an administrator
// forced, say after a compromise, or an unconfirmed account) are answers,
// not outages: FailOpen must not let the token through.
func TestRequireFreshUserRefusalsAreNotOutagesEvenWhenFailingOpen(t *testing.T) {
	e := newEnv(t, func(c *online.Config) { c.FailOpen = true })
	tok := e.signIn(t, "alice", nil)
	for _, code := range []string{"PasswordResetRequiredException", "UserNotConfirmedException"} {
		e.answer(t, cognitoError(code, "refused"))
		e.clk.Advance(online.DefaultVerdictTTL)
		var s seen
		w := request(e.handler(&s), tok.AccessToken)
		require.Equal(t, http.StatusUnauthorized, w.Code, code)
		require.Zero(t, s.ran, code)
	}
}
