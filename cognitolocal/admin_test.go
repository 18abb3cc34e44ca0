package cognitolocal

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func pool(in map[string]any) map[string]any {
	in["UserPoolId"] = "local_Dev"
	return in
}

func TestSignUpThenAdminConfirmSignUp(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "erin", "Password": testPassword,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "e@example.com"}}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, false, out["UserConfirmed"])
	require.NotEmpty(t, out["UserSub"])
	_, err := p.SignIn(context.Background(), DefaultClientID, "erin", testPassword)
	require.Equal(t, errNotConfirmed, err)
	status, _ = call(t, p, "AdminConfirmSignUp", pool(map[string]any{"Username": "erin"}))
	require.Equal(t, http.StatusOK, status)
	tok, err := p.SignIn(context.Background(), DefaultClientID, "erin", testPassword)
	require.NoError(t, err)
	require.Equal(t, out["UserSub"], payload(t, tok.AccessToken)["sub"])
	requireAPIError(t, p, "AdminConfirmSignUp", pool(map[string]any{"Username": "erin"}), codeNotAuthorized, "")
}

func TestSignUpExistingUsernameRefused(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "alice", "Password": testPassword},
		codeUsernameExists, "")
}

func TestSignUpWeakPasswordRefused(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "frank", "Password": "password"},
		codeInvalidPassword, "")
}

func TestDeleteUserAttributes(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"name": "Alice", "nickname": "al"}))
	status, _ := call(t, p, "DeleteUserAttributes", map[string]any{"AccessToken": signIn(t, p).AccessToken, "UserAttributeNames": []string{"name"}})
	require.Equal(t, http.StatusOK, status)
	status, _ = call(t, p, "AdminDeleteUserAttributes", pool(map[string]any{"Username": "alice", "UserAttributeNames": []string{"nickname"}}))
	require.Equal(t, http.StatusOK, status)
	id := payload(t, signIn(t, p).IDToken)
	require.NotContains(t, id, "name")
	require.NotContains(t, id, "nickname")
	requireAPIError(t, p, "DeleteUserAttributes", map[string]any{"AccessToken": signIn(t, p).AccessToken, "UserAttributeNames": []string{"sub"}},
		codeInvalidParameter, "")
}

func TestAdminDisableAndEnableUser(t *testing.T) {
	p := newPool(t, Config{})
	status, _ := call(t, p, "AdminDisableUser", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, http.StatusOK, status)
	_, out := call(t, p, "AdminGetUser", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, false, out["Enabled"])
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeNotAuthorized, "User is disabled.")
	status, _ = call(t, p, "AdminEnableUser", pool(map[string]any{"Username": "alice"}))
	require.Equal(t, http.StatusOK, status)
	signIn(t, p)
}

func TestAdminGetUserAnswersUserType(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "AdminGetUser", pool(map[string]any{"Username": "ALICE"}))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "alice", out["Username"])
	require.Equal(t, "CONFIRMED", out["UserStatus"])
	require.Equal(t, true, out["Enabled"])
	require.Contains(t, out["UserAttributes"], map[string]any{"Name": "email", "Value": "alice@example.com"})
	require.NotContains(t, out, "Attributes")
	require.Greater(t, out["UserCreateDate"], float64(1e9))
}

func TestListUsersFilters(t *testing.T) {
	p := newPool(t, Config{})
	for _, name := range []string{"bob", "bobby", "carol"} {
		_, err := p.CreateUser(name, testPassword, map[string]string{"email": name + "@example.com"})
		require.NoError(t, err)
	}
	names := func(filter string) []string {
		status, out := call(t, p, "ListUsers", pool(map[string]any{"Filter": filter}))
		require.Equal(t, http.StatusOK, status, out)
		var got []string
		for _, u := range out["Users"].([]any) {
			got = append(got, u.(map[string]any)["Username"].(string))
		}
		return got
	}
	require.Equal(t, []string{"alice", "bob", "bobby", "carol"}, names(""))
	require.Equal(t, []string{"bob", "bobby"}, names(`username ^= "bob"`))
	require.Equal(t, []string{"carol"}, names(`email = "carol@example.com"`))
	require.Equal(t, []string{"alice", "bob", "bobby", "carol"}, names(`cognito:user_status = "CONFIRMED"`))
	require.Equal(t, []string{"alice", "bob", "bobby", "carol"}, names(`status = "Enabled"`))
	requireAPIError(t, p, "ListUsers", pool(map[string]any{"Filter": `custom:tenant_id = "acme"`}), codeInvalidParameter, "")
	requireAPIError(t, p, "ListUsers", pool(map[string]any{"Filter": `email = carol`}), codeInvalidParameter, "")
}

func TestListUsersPages(t *testing.T) {
	p := newPool(t, Config{})
	_, err := p.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	status, out := call(t, p, "ListUsers", pool(map[string]any{"Limit": 1, "AttributesToGet": []string{"email"}}))
	require.Equal(t, http.StatusOK, status)
	users := out["Users"].([]any)
	require.Len(t, users, 1)
	require.Equal(t, []any{map[string]any{"Name": "email", "Value": "alice@example.com"}}, users[0].(map[string]any)["Attributes"])
	_, out = call(t, p, "ListUsers", pool(map[string]any{"Limit": 1, "PaginationToken": out["PaginationToken"]}))
	require.Equal(t, "bob", out["Users"].([]any)[0].(map[string]any)["Username"])
	require.NotContains(t, out, "PaginationToken")
}

func TestCreateAndDescribeUserPoolClient(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "CreateUserPoolClient", pool(map[string]any{
		"ClientName": "web", "GenerateSecret": true, "ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		"AllowedOAuthFlows": []string{"code"}, "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthScopes": []string{"openid"},
		"CallbackURLs": []string{"http://localhost:3000/cb"}, "AccessTokenValidity": 15,
		"TokenValidityUnits": map[string]string{"AccessToken": "minutes"},
	}))
	require.Equal(t, http.StatusOK, status, out)
	c := out["UserPoolClient"].(map[string]any)
	require.Len(t, c["ClientId"], 26)
	require.NotEmpty(t, c["ClientSecret"])
	require.EqualValues(t, 15, c["AccessTokenValidity"])
	_, out = call(t, p, "DescribeUserPoolClient", pool(map[string]any{"ClientId": c["ClientId"]}))
	require.Equal(t, "web", out["UserPoolClient"].(map[string]any)["ClientName"])
	got, ok := p.AppClient(c["ClientId"].(string))
	require.True(t, ok)
	tok, err := p.SignIn(context.Background(), got.ClientID, "alice", testPassword)
	require.NoError(t, err)
	require.Equal(t, 900, tok.ExpiresIn)
	requireAPIError(t, p, "DescribeUserPoolClient", pool(map[string]any{"ClientId": "nope"}), codeResourceNotFound, "")
}

func TestCreateUserPoolClientRules(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "CreateUserPoolClient", pool(map[string]any{"ClientName": "m2m",
		"AllowedOAuthFlows": []string{"client_credentials"}, "AllowedOAuthFlowsUserPoolClient": true}), codeInvalidParameter, "")
	requireAPIError(t, p, "CreateUserPoolClient", pool(map[string]any{"ClientName": "x",
		"AllowedOAuthFlows": []string{"code"}}), codeInvalidParameter, "")
	requireAPIError(t, p, "CreateUserPoolClient", pool(map[string]any{"ClientName": "x",
		"ExplicitAuthFlows": []string{"ALLOW_EVERYTHING"}}), codeInvalidParameter, "")
}

func TestAddCustomAttributesRules(t *testing.T) {
	p := newPool(t, Config{})
	status, _ := call(t, p, "AddCustomAttributes", pool(map[string]any{"CustomAttributes": []map[string]any{{"Name": "dept", "AttributeDataType": "String"}}}))
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, p, "AddCustomAttributes", pool(map[string]any{"CustomAttributes": []map[string]any{{"Name": "dept"}}}), codeInvalidParameter, "")
	requireAPIError(t, p, "AddCustomAttributes", pool(map[string]any{"CustomAttributes": []map[string]any{{"Name": "x", "AttributeDataType": "Blob"}}}), codeInvalidParameter, "")
	status, _ = call(t, p, "AdminUpdateUserAttributes", pool(map[string]any{"Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "custom:dept", "Value": "ops"}}}))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "ops", payload(t, signIn(t, p).IDToken)["custom:dept"])
	require.NoError(t, p.AddCustomAttribute("frozen", false))
	require.Equal(t, errImmutableAttr, p.SetUserAttributes("alice", map[string]string{"custom:frozen": "x"}))
}
