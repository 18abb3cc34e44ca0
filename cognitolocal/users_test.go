package cognitolocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDisableUserRevokesTokens(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	require.NoError(t, p.DisableUser("alice"))
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}}, codeNotAuthorized, "User is disabled.")
	require.NoError(t, p.EnableUser("alice"))
	requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken}, codeNotAuthorized, "Access Token has been revoked")
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}}, codeNotAuthorized, "Refresh Token has been revoked")
}

func TestEmailChangeResetsEmailVerified(t *testing.T) {
	p := newPool(t, Config{})
	in := map[string]any{"AccessToken": signIn(t, p).AccessToken,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "new@example.com"}}}
	status, _ := call(t, p, "UpdateUserAttributes", in)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, false, payload(t, signIn(t, p).IDToken)["email_verified"])
	// An administrator may set both at once.
	status, _ = call(t, p, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": "local_Dev", "Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "b@example.com"}, {"Name": "email_verified", "Value": "true"}}})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, true, payload(t, signIn(t, p).IDToken)["email_verified"])
}

func TestSubNeverChanges(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": "local_Dev", "Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "sub", "Value": "x"}}}, codeInvalidParameter, "")
	require.Equal(t, errSubImmutable, p.SetUserAttributes("alice", map[string]string{"sub": "x"}))
	requireAPIError(t, p, "AdminDeleteUserAttributes", map[string]any{"UserPoolId": "local_Dev", "Username": "alice",
		"UserAttributeNames": []string{"sub"}}, codeInvalidParameter, "")
}
