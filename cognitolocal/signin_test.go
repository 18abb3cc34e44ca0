package cognitolocal

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSignInWrongPasswordAndUnknownUserAnswerAlike(t *testing.T) {
	p := newPool(t, Config{})
	for _, user := range []string{"alice", "nobody"} {
		_, err := p.SignIn(context.Background(), DefaultClientID, user, "Wrong-pass1")
		require.Equal(t, errBadCredentials, err)
		requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": "Wrong-pass1"}},
			codeNotAuthorized, "Incorrect username or password.")
	}
}

func TestSignInUsernameIsCaseInsensitive(t *testing.T) {
	p := newPool(t, Config{})
	tok, err := p.SignIn(context.Background(), DefaultClientID, "ALICE", testPassword)
	require.NoError(t, err)
	require.Equal(t, "alice", payload(t, tok.AccessToken)["username"])
}

func TestSignInDisabledUserRefused(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.DisableUser("alice"))
	_, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.Equal(t, errUserDisabled, err)
	require.NoError(t, p.EnableUser("alice"))
	signIn(t, p)
}

func TestSignInFlowNotEnabledRefused(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{}) // Cognito's default flows: no USER_PASSWORD_AUTH
	require.NoError(t, err)
	_, err = p.SignIn(context.Background(), c.ClientID, "alice", testPassword)
	require.ErrorContains(t, err, "USER_PASSWORD_AUTH flow not enabled")
}

func TestSignInUnknownClientRefused(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "nope",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeResourceNotFound, "")
}

func TestRefreshKeepsOriginJTIAndAuthTime(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	tok := signIn(t, p)
	first := payload(t, tok.AccessToken)
	now = now.Add(10 * time.Minute)
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"custom:tenant_id": "globex"}))
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}})
	require.Equal(t, http.StatusOK, status, out)
	res := out["AuthenticationResult"].(map[string]any)
	require.NotContains(t, res, "RefreshToken", "Cognito keeps the refresh token")
	second := payload(t, res["AccessToken"].(string))
	require.Equal(t, first["origin_jti"], second["origin_jti"])
	require.Equal(t, first["auth_time"], second["auth_time"])
	require.NotEqual(t, first["jti"], second["jti"])
	require.EqualValues(t, now.Unix(), second["iat"])
	require.Equal(t, "globex", payload(t, res["IdToken"].(string))["custom:tenant_id"])
}

func TestRefreshWithUnknownTokenRefused(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": "garbage"}}, codeNotAuthorized, "Invalid Refresh Token")
}

func TestRefreshExpiredRefused(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	tok := signIn(t, p)
	now = now.Add(defaultRefreshValidity)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}}, codeNotAuthorized, "Refresh Token has expired")
}
