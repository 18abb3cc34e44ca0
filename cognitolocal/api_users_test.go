package cognitolocal

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

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

func TestAdminUserGlobalSignOut(t *testing.T) {
	p := newPool(t, Config{})
	tok := signIn(t, p)
	status, _ := call(t, p, "AdminUserGlobalSignOut", map[string]any{"UserPoolId": "local_Dev", "Username": "alice"})
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, p, "GetUser", map[string]any{"AccessToken": tok.AccessToken}, codeNotAuthorized, "Access Token has been revoked")
}

func pool(in map[string]any) map[string]any {
	in["UserPoolId"] = "local_Dev"
	return in
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
