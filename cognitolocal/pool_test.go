package cognitolocal

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

func TestAccessTokenCarriesCognitosClaimsOnly(t *testing.T) {
	p := newPool(t, Config{})
	c := payload(t, signIn(t, p).AccessToken)
	require.ElementsMatch(t, []string{"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope",
		"auth_time", "exp", "iat", "jti", "username", "version", "cognito:groups"}, keys(c))
	require.Equal(t, "access", c["token_use"])
	require.Equal(t, DefaultClientID, c["client_id"])
	require.Equal(t, "alice", c["username"])
	require.Equal(t, scopeAdmin, c["scope"])
	require.Equal(t, []any{"admin"}, c["cognito:groups"])
	require.Equal(t, p.Issuer(), c["iss"])
	require.EqualValues(t, 2, c["version"])
}

func TestIDTokenCarriesReadableAttributes(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	id := payload(t, tok.IDToken)
	access := payload(t, tok.AccessToken)
	require.Equal(t, "id", id["token_use"])
	require.Equal(t, DefaultClientID, id["aud"])
	require.Equal(t, "alice", id["cognito:username"])
	require.Equal(t, "alice@example.com", id["email"])
	require.Equal(t, true, id["email_verified"])
	require.Equal(t, "acme", id["custom:tenant_id"])
	require.Equal(t, access["origin_jti"], id["origin_jti"])
	require.Equal(t, access["event_id"], id["event_id"])
	require.NotEqual(t, access["jti"], id["jti"])
	require.NotContains(t, id, "client_id")
	require.NotContains(t, id, "at_hash", "InitiateAuth's ID tokens carry no at_hash")
}

func TestReadAttributesLimitIDTokenClaims(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}, ReadAttributes: []string{"email"}})
	require.NoError(t, err)
	tok, err := p.SignIn(context.Background(), c.ClientID, "alice", testPassword)
	require.NoError(t, err)
	id := payload(t, tok.IDToken)
	require.Equal(t, "alice@example.com", id["email"])
	require.NotContains(t, id, "custom:tenant_id")
	require.NotContains(t, id, "email_verified")
	require.NotEmpty(t, id["sub"])
}

func TestTokensVerifyWithTheLibrary(t *testing.T) {
	s, err := Start("127.0.0.1:0", Config{})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	tok, err := s.SignIn(context.Background(), DefaultClientID, "bob", testPassword)
	require.NoError(t, err)
	for use, token := range map[cognitojwt.TokenUse]string{cognitojwt.AccessToken: tok.AccessToken, cognitojwt.IDToken: tok.IDToken} {
		v, err := s.Verifier(DefaultClientID, use)
		require.NoError(t, err)
		c, err := v.Verify(context.Background(), token)
		require.NoError(t, err, use)
		require.Equal(t, "bob", c.Username)
	}
	require.Equal(t, s.URL()+"/local_Dev", s.Issuer())
	require.True(t, strings.HasPrefix(s.URL(), "http://127.0.0.1:"))
}

func TestStartRefusesNonLoopbackAddress(t *testing.T) {
	_, err := Start("0.0.0.0:0", Config{})
	require.ErrorContains(t, err, "loopback")
}

func TestStartAcceptsLocalhostInAnyCase(t *testing.T) {
	s, err := Start("LocalHost:0", Config{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestDiscoveryListsEndpoints(t *testing.T) {
	p := newPool(t, Config{BaseURL: "http://127.0.0.1:9"})
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/local_Dev/.well-known/openid-configuration", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	for _, want := range []string{`"issuer":"http://127.0.0.1:9/local_Dev"`, `"token_endpoint":"http://127.0.0.1:9/oauth2/token"`,
		`"authorization_endpoint":"http://127.0.0.1:9/oauth2/authorize"`, `"userinfo_endpoint":"http://127.0.0.1:9/oauth2/userInfo"`,
		`"revocation_endpoint":"http://127.0.0.1:9/oauth2/revoke"`, `"end_session_endpoint":"http://127.0.0.1:9/logout"`,
		`"jwks_uri":"http://127.0.0.1:9/local_Dev/.well-known/jwks.json"`} {
		require.Contains(t, rec.Body.String(), want)
	}
	rec = httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/local_Dev/.well-known/jwks.json", nil))
	require.Contains(t, rec.Body.String(), p.SigningKeys()[0].Kid)
	require.Contains(t, rec.Body.String(), `"alg":"RS256"`)
}

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

func TestInitiateAuthAnswersAsCognito(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	require.Equal(t, http.StatusOK, status)
	res := out["AuthenticationResult"].(map[string]any)
	require.Equal(t, "Bearer", res["TokenType"])
	require.EqualValues(t, 3600, res["ExpiresIn"])
	require.NotEmpty(t, res["AccessToken"])
	require.NotEmpty(t, res["IdToken"])
	require.NotEmpty(t, res["RefreshToken"])
}

func TestConfidentialClientNeedsSecretHash(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{GenerateSecret: true, ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	require.NoError(t, err)
	require.NotEmpty(t, c.ClientSecret)
	params := map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}
	in := map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": c.ClientID, "AuthParameters": params}
	requireAPIError(t, p, "InitiateAuth", in, codeNotAuthorized, errSecretMissing.Message)
	params["SECRET_HASH"] = "bm9wZQ=="
	requireAPIError(t, p, "InitiateAuth", in, codeNotAuthorized, errSecretMismatch.Message)
	params["SECRET_HASH"] = secretHash(c.ClientSecret, "alice", c.ClientID)
	status, out := call(t, p, "InitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	refresh := out["AuthenticationResult"].(map[string]any)["RefreshToken"].(string)
	status, out = call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": c.ClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refresh, "SECRET_HASH": params["SECRET_HASH"]}})
	require.Equal(t, http.StatusOK, status, out)
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

func TestRevokeTokenEndsFamily(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	other := signIn(t, p)
	status, _ := call(t, p, "RevokeToken", map[string]any{"Token": tok.RefreshToken, "ClientId": DefaultClientID})
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}}, codeNotAuthorized, "Refresh Token has been revoked")
	requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken}, codeNotAuthorized, "Access Token has been revoked")
	status, _ = call(t, p, "GetUser", map[string]any{"AccessToken": other.AccessToken})
	require.Equal(t, http.StatusOK, status, "another sign-in's family is untouched")
}

func TestRevokeTokenUnknownTokenSucceeds(t *testing.T) {
	p := newPool(t, Config{})
	status, _ := call(t, p, "RevokeToken", map[string]any{"Token": "unknown", "ClientId": DefaultClientID})
	require.Equal(t, http.StatusOK, status)
}

func TestRevokeTokenOfAnotherClientRefused(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	c, err := p.CreateAppClient(AppClient{})
	require.NoError(t, err)
	requireAPIError(t, p, "RevokeToken", map[string]any{"Token": tok.RefreshToken, "ClientId": c.ClientID}, "UnauthorizedException", "")
}

func TestGlobalSignOutEndsEveryFamily(t *testing.T) {
	p := newPool(t, Config{})
	a, b := signIn(t, p), signIn(t, p)
	status, _ := call(t, p, "GlobalSignOut", map[string]any{"AccessToken": a.AccessToken})
	require.Equal(t, http.StatusOK, status)
	for _, tok := range []Tokens{a, b} {
		requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken}, codeNotAuthorized, "Access Token has been revoked")
		requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}}, codeNotAuthorized, "Refresh Token has been revoked")
	}
	signIn(t, p) // signing in again works
}

func TestAdminUserGlobalSignOut(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	status, _ := call(t, p, "AdminUserGlobalSignOut", map[string]any{"UserPoolId": "local_Dev", "Username": "alice"})
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken}, codeNotAuthorized, "Access Token has been revoked")
}

func TestGetUserAnswersAttributes(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "GetUser", map[string]any{"AccessToken": signIn(t, p).AccessToken})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "alice", out["Username"])
	require.Contains(t, out["UserAttributes"], map[string]any{"Name": "custom:tenant_id", "Value": "acme"})
}

func TestGetUserExpiredToken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	tok := signIn(t, p)
	now = now.Add(2 * time.Hour)
	requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken}, codeNotAuthorized, "Access Token has expired")
}

func TestGetUserForgedTokenRefused(t *testing.T) {
	p := newPool(t, Config{})
	otherKey, err := NewSigningKey()
	require.NoError(t, err)
	other := newPool(t, Config{Key: otherKey})
	requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": signIn(t, other).AccessToken}, codeNotAuthorized, "Invalid Access Token")
	requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": "not-a-token"}, codeNotAuthorized, "Invalid Access Token")
}

func TestGetUserDisabledUserRefused(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	require.NoError(t, p.DisableUser("alice"))
	requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken}, codeNotAuthorized, "User is disabled.")
}

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

func TestUpdateUserAttributesNeedsAdminScope(t *testing.T) {
	p := newPool(t, Config{})
	c, _ := p.AppClient(DefaultClientID)
	p.mu.Lock()
	snap := p.users["alice"].snapshot()
	p.mu.Unlock()
	narrow, err := p.signIn(context.Background(), c, snap, []string{"openid", "email"}, sourceHostedAuth, nil)
	require.NoError(t, err)
	in := map[string]any{"AccessToken": narrow.AccessToken, "UserAttributes": []map[string]string{{"Name": "name", "Value": "Alice"}}}
	requireAPIError(t, p, "UpdateUserAttributes", in, codeNotAuthorized, "Access Token does not have required scopes")
	in["AccessToken"] = signIn(t, p).AccessToken
	status, _ := call(t, p, "UpdateUserAttributes", in)
	require.Equal(t, http.StatusOK, status)
	_, out := call(t, p, "GetUser", map[string]any{"AccessToken": in["AccessToken"]})
	require.Contains(t, out["UserAttributes"], map[string]any{"Name": "name", "Value": "Alice"})
}

func TestUpdateUserAttributesCannotVerifyEmail(t *testing.T) {
	p := newPool(t, Config{})
	in := map[string]any{"AccessToken": signIn(t, p).AccessToken,
		"UserAttributes": []map[string]string{{"Name": "email_verified", "Value": "true"}}}
	requireAPIError(t, p, "UpdateUserAttributes", in, codeNotAuthorized, errUnwritableAttr.Message)
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

func TestImmutableCustomAttributeSetOnlyAtCreation(t *testing.T) {
	p := newPool(t, Config{})
	f := false
	status, _ := call(t, p, "AddCustomAttributes", map[string]any{"UserPoolId": "local_Dev",
		"CustomAttributes": []map[string]any{{"Name": "plan", "AttributeDataType": "String", "Mutable": f}}})
	require.Equal(t, http.StatusOK, status)
	status, out := call(t, p, "AdminCreateUser", map[string]any{"UserPoolId": "local_Dev", "Username": "carol",
		"UserAttributes": []map[string]string{{"Name": "custom:plan", "Value": "basic"}}})
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": "local_Dev", "Username": "carol",
		"UserAttributes": []map[string]string{{"Name": "custom:plan", "Value": "premium"}}}, codeInvalidParameter, errImmutableAttr.Message)
}

func TestCustomAttributeMustBeDeclared(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": "local_Dev", "Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "custom:undeclared", "Value": "x"}}}, codeInvalidParameter, errUnknownAttr.Message)
	requireAPIError(t, p, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": "local_Dev", "Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "tenant", "Value": "x"}}}, codeInvalidParameter, errUnknownAttr.Message)
}

func TestPasswordPolicy(t *testing.T) {
	p := newPool(t, Config{})
	for _, pw := range []string{"Sh0rt!", "alllower1!", "ALLUPPER1!", "NoDigits!!", "NoSymbol12"} {
		_, err := p.CreateUser("u"+pw, pw, nil)
		var e *Error
		require.ErrorAs(t, err, &e, pw)
		require.Equal(t, codeInvalidPassword, e.Code)
		require.NotContains(t, e.Error(), pw)
	}
}

func TestAdminCreateUserForcesPasswordChange(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "AdminCreateUser", map[string]any{"UserPoolId": "local_Dev", "Username": "dave",
		"TemporaryPassword": "Temp-pass1", "UserAttributes": []map[string]string{{"Name": "email", "Value": "d@example.com"}}})
	require.Equal(t, http.StatusOK, status)
	u := out["User"].(map[string]any)
	require.Equal(t, "FORCE_CHANGE_PASSWORD", u["UserStatus"])
	require.Equal(t, true, u["Enabled"])
	_, err := p.SignIn(context.Background(), DefaultClientID, "dave", "Temp-pass1")
	require.ErrorContains(t, err, "Password change required")
	status, _ = call(t, p, "AdminSetUserPassword", map[string]any{"UserPoolId": "local_Dev", "Username": "dave", "Password": "Perm-pass1", "Permanent": true})
	require.Equal(t, http.StatusOK, status)
	_, out = call(t, p, "AdminGetUser", map[string]any{"UserPoolId": "local_Dev", "Username": "dave"})
	require.Equal(t, "CONFIRMED", out["UserStatus"])
	_, err = p.SignIn(context.Background(), DefaultClientID, "dave", "Perm-pass1")
	require.NoError(t, err)
}

func TestAdminCreateUserExistingRefused(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "AdminCreateUser", map[string]any{"UserPoolId": "local_Dev", "Username": "Alice"}, codeUsernameExists, "")
}

func TestAdminOperationsUnknownUser(t *testing.T) {
	p := newPool(t, Config{})
	for _, op := range []string{"AdminGetUser", "AdminDisableUser", "AdminEnableUser", "AdminUserGlobalSignOut", "AdminListGroupsForUser", "AdminConfirmSignUp"} {
		requireAPIError(t, p, op, map[string]any{"UserPoolId": "local_Dev", "Username": "nobody"}, codeUserNotFound, "User does not exist.")
	}
}

func TestAdminOperationsWrongPool(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": "us-east-1_Other", "Username": "alice"}, codeResourceNotFound, "")
}

func TestGroupsAppearInNextTokens(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "CreateGroup", map[string]any{"UserPoolId": "local_Dev", "GroupName": "PremiumUsers", "Precedence": 1})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "PremiumUsers", out["Group"].(map[string]any)["GroupName"])
	requireAPIError(t, p, "CreateGroup", map[string]any{"UserPoolId": "local_Dev", "GroupName": "PremiumUsers"}, codeGroupExists, "")
	status, _ = call(t, p, "AdminAddUserToGroup", map[string]any{"UserPoolId": "local_Dev", "Username": "alice", "GroupName": "PremiumUsers"})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []any{"admin", "PremiumUsers"}, payload(t, signIn(t, p).AccessToken)["cognito:groups"])
	_, out = call(t, p, "AdminListGroupsForUser", map[string]any{"UserPoolId": "local_Dev", "Username": "alice"})
	require.Len(t, out["Groups"], 2)
	status, _ = call(t, p, "AdminRemoveUserFromGroup", map[string]any{"UserPoolId": "local_Dev", "Username": "alice", "GroupName": "admin"})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []any{"PremiumUsers"}, payload(t, signIn(t, p).AccessToken)["cognito:groups"])
	requireAPIError(t, p, "AdminAddUserToGroup", map[string]any{"UserPoolId": "local_Dev", "Username": "alice", "GroupName": "nope"}, codeResourceNotFound, "")
}

func TestUnknownOperation(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "ForgetEverything", map[string]any{}, "UnknownOperationException", "")
}

func TestMalformedBody(t *testing.T) {
	p := newPool(t, Config{})
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{not json"))
	r.Header.Set("X-Amz-Target", targetPrefix+"GetUser")
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Equal(t, "SerializationException", rec.Header().Get("x-amzn-ErrorType"))
}

func TestErrorsNeverEchoSecrets(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	require.NoError(t, p.GlobalSignOut("alice"))
	for op, in := range map[string]any{
		"InitiateAuth": map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Secret-pw-9"}},
		"GetUser":     map[string]any{"AccessToken": tok.AccessToken},
		"RevokeToken": map[string]any{"Token": tok.RefreshToken, "ClientId": DefaultClientID, "ClientSecret": "Secret-pw-9"},
		"SignUp":      map[string]any{"ClientId": DefaultClientID, "Username": "x", "Password": "Secret-pw-9z"},
	} {
		body := callRaw(t, p, op, in).Body.String()
		for _, secret := range []string{"Secret-pw-9", tok.AccessToken[:40], tok.RefreshToken[:20]} {
			require.NotContains(t, body, secret, op)
		}
	}
}

func TestLoggerRecordsOperationsWithoutSecrets(t *testing.T) {
	var buf strings.Builder
	p := newPool(t, Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	callRaw(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Secret-pw-9"}})
	rec := callRaw(t, p, "GetUser", map[string]any{"AccessToken": signIn(t, p).AccessToken})
	require.NotEmpty(t, rec.Header().Get("x-amzn-RequestId"))
	require.Contains(t, buf.String(), "operation=InitiateAuth error=NotAuthorizedException")
	require.Contains(t, buf.String(), "operation=GetUser")
	require.NotContains(t, buf.String(), "Secret-pw-9")
	require.NotContains(t, buf.String(), "alice")
}
