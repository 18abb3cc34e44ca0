package online_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

// GlobalSignOut ends the user's sessions at Cognito and records the
// subject: the token already issued is refused locally at once.
func TestGlobalSignOutSignsOutAndRecordsSubject(t *testing.T) {
	e := newEnv(t, nil)
	tok, claims := e.signInVerified(t, "alice")

	e.clk.Past(claims.IssuedAt)
	require.NoError(t, e.checker.GlobalSignOut(t.Context(), tok.AccessToken, claims))
	_, err := e.v.Verify(t.Context(), tok.AccessToken)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
	_, err = e.checker.Check(t.Context(), tok.AccessToken, nil)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked, "Cognito refuses it too")
}

// RevokeToken ends one refresh token at Cognito and records its family.
func TestRevokeTokenRevokesFamily(t *testing.T) {
	e := newEnv(t, nil)
	tok, claims := e.signInVerified(t, "alice")
	require.NoError(t, e.checker.RevokeToken(t.Context(), tok.RefreshToken, client, "", claims))
	require.True(t, e.list.Revoked(claims))
	_, err := e.checker.Check(t.Context(), tok.AccessToken, nil)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
}

func TestAdminSignOutRecordsSubject(t *testing.T) {
	e := newEnv(t, nil)
	tok, claims := e.signInVerified(t, "alice")
	e.clk.Past(claims.IssuedAt)
	require.NoError(t, e.checker.AdminSignOut(t.Context(), "alice", claims.Subject))
	require.True(t, e.list.Revoked(claims))
	_, err := e.checker.Check(t.Context(), tok.AccessToken, nil)
	require.ErrorIs(t, err, cognitojwt.ErrRevoked)
}
