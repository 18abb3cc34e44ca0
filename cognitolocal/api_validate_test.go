package cognitolocal

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAPIRequiredCoversEveryOperation(t *testing.T) {
	require.ElementsMatch(t, slices.Collect(maps.Keys(apiOps)), slices.Collect(maps.Keys(apiRequired)),
		"every operation lists its required members (empty when the model requires none)")
	// A few entries checked against the API model by hand, so a wrong
	// table cannot pass the table-driven test below on its own.
	require.ElementsMatch(t, []string{"ClientId", "Username", "Password"}, apiRequired["SignUp"])
	require.ElementsMatch(t, []string{"ClientId", "Username", "ConfirmationCode", "Password"}, apiRequired["ConfirmForgotPassword"])
	require.ElementsMatch(t, []string{"UserPoolId", "Username", "GroupName"}, apiRequired["AdminAddUserToGroup"])
	require.ElementsMatch(t, []string{"MaxResults"}, apiRequired["ListUserPools"])
	require.Empty(t, apiRequired["AssociateSoftwareToken"])
}

// TestAPIRejectsMissingRequiredMembers omits, then nulls, each required
// member of each operation from an otherwise plausible request: the pool
// answers InvalidParameterException naming the member, as Cognito does
// for a raw HTTP client the SDKs' own checks do not cover.
func TestAPIRejectsMissingRequiredMembers(t *testing.T) {
	p := newPool(t, Config{})
	for _, op := range apiOpNames {
		base := map[string]any{}
		for _, m := range apiRequired[op] {
			base[m] = validMemberValue(p, m)
		}
		for _, m := range apiRequired[op] {
			camel := strings.ToLower(m[:1]) + m[1:]
			want := "1 validation error detected: Value at '" + camel + "' failed to satisfy constraint: Member must not be null"
			in := maps.Clone(base)
			delete(in, m)
			requireAPIError(t, p, op, in, "InvalidParameterException", want)
			in[m] = nil
			requireAPIError(t, p, op, in, "InvalidParameterException", want)
		}
		// With every required member present the model check passes and
		// the operation itself answers.
		rec := callRaw(t, p, op, base)
		require.NotContains(t, rec.Body.String(), "Member must not be null", op)
	}
}

func validMemberValue(p *Pool, member string) any {
	switch member {
	case "UserPoolId":
		return p.PoolID()
	case "ClientId":
		return DefaultClientID
	case "MaxResults":
		return 10
	case "UserCode":
		return "123456"
	case "UserAttributes", "UserAttributeNames", "CustomAttributes":
		return []any{}
	}
	return "value"
}

// TestAPIRejectsOutOfModelIdentifiers sends identifiers beyond the
// lengths and patterns of the API model: each is refused with
// InvalidParameterException, its value is not repeated, and nothing is
// stored.
func TestAPIRejectsOutOfModelIdentifiers(t *testing.T) {
	p := newPool(t, Config{})
	long := func(n int) string { return strings.Repeat("a", n) }
	for name, tc := range map[string]struct {
		op     string
		in     map[string]any
		member string
	}{
		"username too long":        {"AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": long(129)}, "username"},
		"username empty":           {"AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": ""}, "username"},
		"username with space":      {"AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "bob smith"}, "username"},
		"username with control":    {"SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob\x00", "Password": testPassword}, "username"},
		"signup username too long": {"SignUp", map[string]any{"ClientId": DefaultClientID, "Username": long(129), "Password": testPassword}, "username"},
		"password too long":        {"SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "Password": "Aa1!" + long(253)}, "password"},
		"pool id too long":         {"AdminCreateUser", map[string]any{"UserPoolId": "us-east-1_" + long(46), "Username": "bob"}, "userPoolId"},
		"client id too long":       {"SignUp", map[string]any{"ClientId": long(129), "Username": "bob", "Password": testPassword}, "clientId"},
		"group name too long":      {"CreateGroup", map[string]any{"UserPoolId": p.PoolID(), "GroupName": long(129)}, "groupName"},
		"group name with newline":  {"CreateGroup", map[string]any{"UserPoolId": p.PoolID(), "GroupName": "ops\nteam"}, "groupName"},
		"group description":        {"CreateGroup", map[string]any{"UserPoolId": p.PoolID(), "GroupName": "ops", "Description": long(2049)}, "description"},
		"client name pattern":      {"CreateUserPoolClient", map[string]any{"UserPoolId": p.PoolID(), "ClientName": "web<script>"}, "clientName"},
		"resource server id":       {"CreateResourceServer", map[string]any{"UserPoolId": p.PoolID(), "Identifier": "has space", "Name": "n"}, "identifier"},
		"pool name too long":       {"CreateUserPool", map[string]any{"PoolName": long(129)}, "poolName"},
		"user code not digits":     {"VerifySoftwareToken", map[string]any{"UserCode": "12345x", "Session": long(40)}, "userCode"},
		"attribute name too long": {"AdminUpdateUserAttributes", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice",
			"UserAttributes": []any{map[string]any{"Name": "custom:" + long(26), "Value": "x"}}}, "userAttributes.1.member.name"},
		"attribute name missing": {"AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "bob",
			"UserAttributes": []any{map[string]any{"Value": "x"}}}, "userAttributes.1.member.name"},
		"attribute value too long": {"SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "Password": testPassword,
			"UserAttributes": []any{map[string]any{"Name": "email", "Value": "b@example.com"}, map[string]any{"Name": "name", "Value": long(2049)}}}, "userAttributes.2.member.value"},
		"validation data name": {"SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "Password": testPassword,
			"ValidationData": []any{map[string]any{"Name": "", "Value": "x"}}}, "validationData.1.member.name"},
		"attribute names entry": {"AdminDeleteUserAttributes", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice",
			"UserAttributeNames": []any{"custom:tenant_id", "has\x00null"}}, "userAttributeNames.2.member"},
		"filter too long": {"ListUsers", map[string]any{"UserPoolId": p.PoolID(), "Filter": "email = \"" + long(250) + "\""}, "filter"},
	} {
		rec := callRaw(t, p, tc.op, tc.in)
		require.Equal(t, "InvalidParameterException", rec.Header().Get("x-amzn-ErrorType"), "%s: %s", name, rec.Body.String())
		require.Contains(t, rec.Body.String(), "at '"+tc.member+"'", name)
		require.NotContains(t, rec.Body.String(), long(40), name)
	}
	_, users := call(t, p, "ListUsers", map[string]any{"UserPoolId": p.PoolID()})
	require.Len(t, users["Users"], 1, "only alice")
	_, groups := call(t, p, "ListGroups", map[string]any{"UserPoolId": p.PoolID()})
	require.Len(t, groups["Groups"], 1, "only admin")
	_, alice := call(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "alice"})
	require.Contains(t, alice["UserAttributes"], map[string]any{"Name": "custom:tenant_id", "Value": "acme"}, "alice's attributes unchanged")
	_, pools := call(t, p, "ListUserPools", map[string]any{"MaxResults": 60})
	require.Len(t, pools["UserPools"], 1)

	// The limits are inclusive: 128 characters and Unicode letters are
	// a valid username.
	code, _ := call(t, p, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": long(128), "MessageAction": "SUPPRESS"})
	require.Equal(t, 200, code)
	code, _ = call(t, p, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "zoë.łukasz@例え", "MessageAction": "SUPPRESS"})
	require.Equal(t, 200, code)
}

// TestAPIChecksIdentifierPatterns sends identifiers of the right length
// but outside their shape's pattern in botocore's cognito-idp model
// (UserPoolIdType [\w-]+_[0-9a-zA-Z]+, ClientIdType [\w+]+,
// SecretHashType [\w+=/]+, TokenModelType [A-Za-z0-9-_=.]+,
// PaginationKeyType and SearchPaginationTokenType [\S]+; the API
// reference gives the same patterns, e.g. UserPoolType.Id:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolType.html).
// The API reference does not show the answer; Cognito's, as clients
// report it (aws/aws-sdk-js#3344 for a user pool ID with a leading space,
// boto/boto3#3581 for a pool ID given as the client ID), is
// InvalidParameterException "1 validation error detected: Value '…' at
// 'userPoolId' failed to satisfy constraint: Member must satisfy regular
// expression pattern: [\w-]+_[0-9a-zA-Z]+". The pool answers the same
// without the value, which it never repeats.
func TestAPIChecksIdentifierPatterns(t *testing.T) {
	p := newPool(t, Config{})
	access := signIn(t, p).AccessToken
	const prefix = "1 validation error detected: Value at '"
	for name, tc := range map[string]struct {
		op      string
		in      map[string]any
		message string
	}{
		"pool id with a space": {"DescribeUserPool", map[string]any{"UserPoolId": " us-east-1_AbC123"},
			prefix + `userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
		"pool id without region": {"ListUsers", map[string]any{"UserPoolId": "AbC123"},
			prefix + `userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
		"pool id dash in suffix": {"AdminGetUser", map[string]any{"UserPoolId": "us-east-1_AbC-123", "Username": "alice"},
			prefix + `userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
		"pool id as client id": {"InitiateAuth", map[string]any{"ClientId": "ap-northeast-1_xxxxxxxxx", "AuthFlow": "USER_PASSWORD_AUTH",
			"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}},
			prefix + `clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+`},
		"secret hash": {"SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "bob", "Password": testPassword, "SecretHash": "not!base64"},
			prefix + `secretHash' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=/]+`},
		"access token with a space": {"GetUser", map[string]any{"AccessToken": "Bearer " + access},
			prefix + `accessToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+`},
		"empty access token": {"GetUser", map[string]any{"AccessToken": ""},
			prefix + `accessToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+`},
		"revoked token with a slash": {"RevokeToken", map[string]any{"ClientId": DefaultClientID, "Token": "a/b"},
			prefix + `token' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+`},
		"next token empty": {"ListGroups", map[string]any{"UserPoolId": p.PoolID(), "NextToken": ""},
			prefix + `nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1`},
		"pagination token space": {"ListUsers", map[string]any{"UserPoolId": p.PoolID(), "PaginationToken": "a b"},
			prefix + `paginationToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+`},
	} {
		t.Run(name, func(t *testing.T) {
			requireAPIError(t, p, tc.op, tc.in, codeInvalidParameter, tc.message)
		})
	}
	require.NotContains(t, callRaw(t, p, "GetUser", map[string]any{"AccessToken": "Bearer " + access}).Body.String(), access[:40],
		"the value is not repeated")
	// A well-formed ID that names nothing gets the operation's own answer.
	requireAPIError(t, p, "DescribeUserPool", map[string]any{"UserPoolId": "us-east-1_AbC123"}, codeResourceNotFound, "")
	requireAPIError(t, p, "InitiateAuth", map[string]any{"ClientId": "abc123", "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeResourceNotFound, "")
}

// A local pool's configured IDs need not have Cognito's form: a pool
// "dev" and the default client "local-client" (whose dash ClientIdType
// does not allow) are served, while the same shapes naming nothing are
// refused by the pattern, and the length limits hold for every ID.
func TestAPIServesConfiguredIDsOutsideThePatterns(t *testing.T) {
	p := newPool(t, Config{PoolID: "dev"})
	status, out := call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": "dev"})
	require.Equal(t, 200, status, out)
	status, out = call(t, p, "InitiateAuth", map[string]any{"ClientId": DefaultClientID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}})
	require.Equal(t, 200, status, out)

	requireAPIError(t, p, "DescribeUserPool", map[string]any{"UserPoolId": "prod"}, codeInvalidParameter,
		`1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"ClientId": "other-client", "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeInvalidParameter,
		`1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+`)
	// A client deleted is no longer configured: its ID is checked again.
	c, err := p.CreateAppClient(AppClient{ClientID: "short-lived"})
	require.NoError(t, err)
	status, out = call(t, p, "DescribeUserPoolClient", map[string]any{"UserPoolId": "dev", "ClientId": c.ClientID})
	require.Equal(t, 200, status, out)
	require.NoError(t, p.DeleteAppClient(c.ClientID))
	requireAPIError(t, p, "DescribeUserPoolClient", map[string]any{"UserPoolId": "dev", "ClientId": c.ClientID}, codeInvalidParameter, "")
}

// Passwords (PasswordType: SignUp Password, AdminCreateUser
// TemporaryPassword, ChangePassword PreviousPassword and
// ProposedPassword, ConfirmForgotPassword Password, AdminSetUserPassword
// Password) may not begin or end with whitespace. The API reference gives
// them the pattern [\S]+
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html#CognitoUserPools-SignUp-request-Password,
// and likewise for each), while the developer guide, "Passwords, account
// recovery, and password policies"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html),
// counts "non-leading, non-trailing space characters" as special
// characters: a space inside is allowed. Neither shows the answer;
// Cognito's, as clients report it (cds-snc/platform-forms-client#5635),
// is InvalidParameterException "1 validation error detected: Value at
// 'password' failed to satisfy constraint: Member must satisfy regular
// expression pattern: ^[\S]+.*[\S]+$". The pool answers that, never
// repeating the password, before the operation runs: nothing changes.
func TestAPIRefusesPasswordsWithOuterWhitespace(t *testing.T) {
	p := newPool(t, Config{})
	access := signIn(t, p).AccessToken
	const pattern = `' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\S]+.*[\S]+$`
	for _, bad := range []string{" " + testPassword, testPassword + " ", "\t" + testPassword, testPassword + "\n", testPassword + "\v", "\r" + testPassword + "\f"} {
		for name, tc := range map[string]struct {
			op, member string
			in         map[string]any
		}{
			"SignUp": {"SignUp", "password", signUp(DefaultClientID, "spacey", bad)},
			"AdminCreateUser": {"AdminCreateUser", "temporaryPassword", pool(map[string]any{"Username": "spacey",
				"TemporaryPassword": bad, "MessageAction": "SUPPRESS"})},
			"ChangePassword proposed": {"ChangePassword", "proposedPassword", map[string]any{"AccessToken": access,
				"PreviousPassword": testPassword, "ProposedPassword": bad}},
			"ChangePassword previous": {"ChangePassword", "previousPassword", map[string]any{"AccessToken": access,
				"PreviousPassword": bad, "ProposedPassword": "N3w-Passw0rd!"}},
			"ConfirmForgotPassword": {"ConfirmForgotPassword", "password", map[string]any{"ClientId": DefaultClientID,
				"Username": "alice", "ConfirmationCode": "123456", "Password": bad}},
			"AdminSetUserPassword": {"AdminSetUserPassword", "password", pool(map[string]any{"Username": "alice",
				"Password": bad, "Permanent": true})},
		} {
			t.Run(name, func(t *testing.T) {
				rec := callRaw(t, p, tc.op, tc.in)
				require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
				require.Equal(t, codeInvalidParameter, rec.Header().Get("x-amzn-ErrorType"))
				var out map[string]string
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
				require.Equal(t, "1 validation error detected: Value at '"+tc.member+pattern, out["message"])
				require.NotContains(t, rec.Body.String(), testPassword)
			})
		}
	}
	// Nothing changed: no user was created, alice's password is the same.
	requireAPIError(t, p, "AdminGetUser", pool(map[string]any{"Username": "spacey"}), codeUserNotFound, "")
	signIn(t, p)

	// A space inside is a password's special character.
	status, out := call(t, p, "SignUp", signUp(DefaultClientID, "inner", "Correct horse1"))
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "AdminSetUserPassword", pool(map[string]any{"Username": "alice", "Password": "N3w passw0rd", "Permanent": true}))
	require.Equal(t, http.StatusOK, status, out)
	_, err := p.SignIn(context.Background(), DefaultClientID, "alice", "N3w passw0rd")
	require.NoError(t, err)
}
