package cognitolocal

import (
	"maps"
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
			"UserAttributeNames": []any{"custom:tenant_id", "has space"}}, "userAttributeNames.2.member"},
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
