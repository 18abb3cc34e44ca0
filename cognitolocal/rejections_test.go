package cognitolocal

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Each JSON API rejection, named for the rule it enforces.
func TestAPIRejections(t *testing.T) {
	p := newPool(t, Config{})
	secretClient, err := p.CreateAppClient(AppClient{GenerateSecret: true, ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	require.NoError(t, err)
	noRefresh, err := p.CreateAppClient(AppClient{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	require.NoError(t, p.AddCustomAttribute("code", true))
	p.mu.Lock()
	p.schema["custom:code"].MaxLen = 4
	p.mu.Unlock()
	m2m, err := p.CreateAppClient(AppClient{GenerateSecret: true, AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"orders/read"}})
	require.NoError(t, err)
	_, machine := postToken(p, url.Values{"grant_type": {"client_credentials"}}, m2m.ClientID, m2m.ClientSecret)
	secretRefresh := func() string {
		_, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": secretClient.ClientID,
			"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword,
				"SECRET_HASH": secretHash(secretClient.ClientSecret, "alice", secretClient.ClientID)}})
		return out["AuthenticationResult"].(map[string]any)["RefreshToken"].(string)
	}()
	attrs := func(name, value string) []map[string]string {
		return []map[string]string{{"Name": name, "Value": value}}
	}

	for _, tc := range []struct {
		rule, op string
		in       map[string]any
		code     string
	}{
		{"auth flow required", "InitiateAuth", map[string]any{"ClientId": DefaultClientID}, codeInvalidParameter},
		{"only password and refresh flows", "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": DefaultClientID}, codeInvalidParameter},
		{"username and password required", "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": "alice"}}, codeInvalidParameter},
		{"refresh token required", "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID}, codeInvalidParameter},
		{"refresh flow must be enabled", "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": noRefresh.ClientID,
			"AuthParameters": map[string]string{"REFRESH_TOKEN": "x"}}, codeInvalidParameter},
		{"refresh of a confidential client needs its secret hash", "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH",
			"ClientId": secretClient.ClientID, "AuthParameters": map[string]string{"REFRESH_TOKEN": secretRefresh, "SECRET_HASH": "bm9wZQ=="}}, codeNotAuthorized},
		{"access token required", "GetUser", map[string]any{}, codeInvalidParameter},
		{"client credentials tokens have no user", "GetUser", map[string]any{"AccessToken": machine["access_token"]}, codeNotAuthorized},
		{"revoke needs token and client", "RevokeToken", map[string]any{"Token": "x"}, codeInvalidParameter},
		{"revoke of an unknown client", "RevokeToken", map[string]any{"Token": "x", "ClientId": "nope"}, codeResourceNotFound},
		{"revoke needs the client secret", "RevokeToken", map[string]any{"Token": "x", "ClientId": secretClient.ClientID, "ClientSecret": "wrong"}, "UnauthorizedException"},
		{"sign-up of a confidential client needs its secret hash", "SignUp", map[string]any{"ClientId": secretClient.ClientID,
			"Username": "new", "Password": testPassword}, codeNotAuthorized},
		{"sign-up cannot verify email", "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "new", "Password": testPassword,
			"UserAttributes": attrs("email_verified", "true")}, codeNotAuthorized},
		{"sign-up of an unknown client", "SignUp", map[string]any{"ClientId": "nope", "Username": "new", "Password": testPassword}, codeResourceNotFound},
		{"temporary password follows the policy", "AdminCreateUser", pool(map[string]any{"Username": "new", "TemporaryPassword": "short"}), codeInvalidPassword},
		{"resend to an unknown user", "AdminCreateUser", pool(map[string]any{"Username": "ghost", "MessageAction": "RESEND"}), codeUserNotFound},
		{"username without whitespace", "AdminCreateUser", pool(map[string]any{"Username": "a b"}), codeInvalidParameter},
		{"username required", "AdminCreateUser", pool(map[string]any{"Username": ""}), codeInvalidParameter},
		{"attribute value at most 2048 characters", "AdminUpdateUserAttributes", pool(map[string]any{"Username": "alice",
			"UserAttributes": attrs("name", strings.Repeat("x", 2049))}), codeInvalidParameter},
		{"custom attribute length constraint", "AdminUpdateUserAttributes", pool(map[string]any{"Username": "alice",
			"UserAttributes": attrs("custom:code", "toolong")}), codeInvalidParameter},
		{"unknown attribute cannot be deleted", "AdminDeleteUserAttributes", pool(map[string]any{"Username": "alice",
			"UserAttributeNames": []string{"custom:nope"}}), codeInvalidParameter},
		{"password of an unknown user", "AdminSetUserPassword", pool(map[string]any{"Username": "ghost", "Password": testPassword, "Permanent": true}), codeUserNotFound},
		{"group name required", "CreateGroup", pool(map[string]any{"GroupName": ""}), codeInvalidParameter},
		{"list limit at most 60", "ListUsers", pool(map[string]any{"Limit": 61}), codeInvalidParameter},
		{"pagination token from a listing", "ListUsers", pool(map[string]any{"PaginationToken": "abc"}), codeInvalidParameter},
		{"custom attributes required", "AddCustomAttributes", pool(map[string]any{}), codeInvalidParameter},
		{"custom attribute name at most 20 characters", "AddCustomAttributes", pool(map[string]any{"CustomAttributes": []map[string]any{
			{"Name": strings.Repeat("n", 21)}}}), codeInvalidParameter},
		{"client name required", "CreateUserPoolClient", pool(map[string]any{}), codeInvalidParameter},
		{"token validity units", "CreateUserPoolClient", pool(map[string]any{"ClientName": "x", "AccessTokenValidity": 1,
			"TokenValidityUnits": map[string]string{"AccessToken": "weeks"}}), codeInvalidParameter},
		{"token validity positive", "CreateUserPoolClient", pool(map[string]any{"ClientName": "x", "AccessTokenValidity": -1}), codeInvalidParameter},
		{"client credentials alone", "CreateUserPoolClient", pool(map[string]any{"ClientName": "x", "GenerateSecret": true,
			"AllowedOAuthFlows": []string{"client_credentials", "code"}, "AllowedOAuthFlowsUserPoolClient": true}), codeInvalidParameter},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			requireAPIError(t, p, tc.op, tc.in, tc.code, "")
		})
	}
}
