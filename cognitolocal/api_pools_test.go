package cognitolocal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// API Reference pages the tests below follow:
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPool.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUserPools.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPool.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteUserPool.html

// callSigned sends a JSON API request with a SigV4 Authorization header
// whose credential scope names region.
func callSigned(t *testing.T, h http.Handler, op, region string, in any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(in)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
	r.Header.Set("X-Amz-Target", targetPrefix+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if region != "" {
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/"+region+"/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out
}

// createPool creates a pool over the JSON API and returns its UserPoolType.
func createPool(t *testing.T, h http.Handler, in map[string]any) map[string]any {
	t.Helper()
	status, out := callSigned(t, h, "CreateUserPool", "", in)
	require.Equal(t, http.StatusOK, status, out)
	return out["UserPool"].(map[string]any)
}

func TestCreateUserPoolIDHasCognitosFormInTheSigningRegion(t *testing.T) {
	p := newPool(t, Config{})
	// The pool ID is REGION_ and 9 letters and digits (observed form; the
	// API's pattern is [\w-]+_[0-9a-zA-Z]+); the region is the one the
	// request was signed for.
	status, out := callSigned(t, p, "CreateUserPool", "eu-west-2", map[string]any{"PoolName": "shop"})
	require.Equal(t, http.StatusOK, status)
	up := out["UserPool"].(map[string]any)
	require.Regexp(t, regexp.MustCompile(`^eu-west-2_[0-9A-Za-z]{9}$`), up["Id"])
	require.Equal(t, "shop", up["Name"])
	require.Equal(t, "arn:aws:cognito-idp:eu-west-2:000000000000:userpool/"+up["Id"].(string), up["Arn"])
	// Unsigned: us-east-1.
	require.Regexp(t, `^us-east-1_[0-9A-Za-z]{9}$`, createPool(t, p, map[string]any{"PoolName": "b"})["Id"])
}

func TestCreateUserPoolDefaults(t *testing.T) {
	p := newPool(t, Config{})
	up := createPool(t, p, map[string]any{"PoolName": "defaults"})
	// Dates are epoch seconds as JSON numbers, as every awsJson1_1 timestamp.
	require.IsType(t, float64(0), up["CreationDate"])
	require.IsType(t, float64(0), up["LastModifiedDate"])
	require.Equal(t, "INACTIVE", up["DeletionProtection"])
	require.Equal(t, "OFF", up["MfaConfiguration"])
	require.EqualValues(t, 0, up["EstimatedNumberOfUsers"])
	// UsernameConfigurationType: "true ... This is the default value."
	require.Equal(t, map[string]any{"CaseSensitive": true}, up["UsernameConfiguration"])
	// The documented password-policy defaults (also CDK's): 8 characters,
	// every class, temporary passwords valid 7 days.
	require.Equal(t, map[string]any{
		"MinimumLength": 8.0, "RequireUppercase": true, "RequireLowercase": true, "RequireNumbers": true,
		"RequireSymbols": true, "TemporaryPasswordValidityDays": 7.0,
	}, up["Policies"].(map[string]any)["PasswordPolicy"])
	require.Equal(t, map[string]any{"AllowAdminCreateUserOnly": false}, up["AdminCreateUserConfig"])
	// Every pool has sub, required and immutable, and the standard
	// attributes.
	schema := up["SchemaAttributes"].([]any)
	require.Equal(t, "sub", schema[0].(map[string]any)["Name"])
	require.Equal(t, true, schema[0].(map[string]any)["Required"])
	require.Equal(t, false, schema[0].(map[string]any)["Mutable"])
	require.Len(t, schema, 1+len(standardAttributes))
}

func TestCreateUserPoolKeepsWhatItDoesNotModel(t *testing.T) {
	p := newPool(t, Config{})
	up := createPool(t, p, map[string]any{
		"PoolName":                 "kept",
		"EmailVerificationSubject": "Your code",
		"UserPoolTags":             map[string]string{"team": "auth"},
		"Policies":                 map[string]any{"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []string{"PASSWORD"}}},
	})
	require.Equal(t, "Your code", up["EmailVerificationSubject"])
	require.Equal(t, map[string]any{"team": "auth"}, up["UserPoolTags"])
	policies := up["Policies"].(map[string]any)
	require.Contains(t, policies, "SignInPolicy")
	require.Contains(t, policies, "PasswordPolicy")

	// SMS_OTP is one of the AllowedFirstAuthFactors (SignInPolicyType).
	up = createPool(t, p, map[string]any{"PoolName": "sms",
		"Policies": map[string]any{"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}}}})
	require.Equal(t, []any{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}, up["Policies"].(map[string]any)["SignInPolicy"].(map[string]any)["AllowedFirstAuthFactors"])
}

func TestCreateUserPoolRejections(t *testing.T) {
	p := newPool(t, Config{})
	for name, in := range map[string]map[string]any{
		// PoolName is required, 1 to 128 characters of [\w\s+=,.@-].
		"no name":    {},
		"bad name":   {"PoolName": "a/b"},
		"long name":  {"PoolName": string(bytes.Repeat([]byte("a"), 129))},
		"min length": {"PoolName": "x", "Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 5}}},
		"max length": {"PoolName": "x", "Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 100}}},
		// CreateUserPool: "you can't use both" alias and username attributes.
		"both":                  {"PoolName": "x", "AliasAttributes": []string{"email"}, "UsernameAttributes": []string{"email"}},
		"username attribute":    {"PoolName": "x", "UsernameAttributes": []string{"preferred_username"}},
		"alias attribute":       {"PoolName": "x", "AliasAttributes": []string{"name"}},
		"auto verified":         {"PoolName": "x", "AutoVerifiedAttributes": []string{"name"}},
		"deletion protection":   {"PoolName": "x", "DeletionProtection": "ON"},
		"mfa value":             {"PoolName": "x", "MfaConfiguration": "ALWAYS"},
		"mfa without sms":       {"PoolName": "x", "MfaConfiguration": "ON"},
		"required custom":       {"PoolName": "x", "Schema": []map[string]any{{"Name": "dept", "AttributeDataType": "String", "Required": true}}},
		"bad number bounds":     {"PoolName": "x", "Schema": []map[string]any{{"Name": "n", "AttributeDataType": "Number", "NumberAttributeConstraints": map[string]string{"MinValue": "10", "MaxValue": "1"}}}},
		"bad string bounds":     {"PoolName": "x", "Schema": []map[string]any{{"Name": "s", "AttributeDataType": "String", "StringAttributeConstraints": map[string]string{"MaxLength": "4096"}}}},
		"lambda without arn":    {"PoolName": "x", "LambdaConfig": map[string]any{"PreTokenGenerationConfig": map[string]string{"LambdaVersion": "V2_0"}}},
		"lambda bad version":    {"PoolName": "x", "LambdaConfig": map[string]any{"PreTokenGenerationConfig": map[string]string{"LambdaVersion": "V9", "LambdaArn": "arn:aws:lambda:us-east-1:1:function:f"}}},
		"attribute named twice": {"PoolName": "x", "Schema": []map[string]any{{"Name": "email"}, {"Name": "email"}}},
	} {
		status, out := callSigned(t, p, "CreateUserPool", "", in)
		require.Equal(t, http.StatusBadRequest, status, name)
		require.Equal(t, codeInvalidParameter, out["__type"], name)
	}
	require.Len(t, p.Service().Pools(), 1, "a refused CreateUserPool creates nothing")
}

func TestDescribeUserPool(t *testing.T) {
	p := newPool(t, Config{})
	id := createPool(t, p, map[string]any{"PoolName": "d", "AutoVerifiedAttributes": []string{"email"}})["Id"]
	status, out := call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": id})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []any{"email"}, out["UserPool"].(map[string]any)["AutoVerifiedAttributes"])
	// The pool New made answers too, with its user counted.
	_, out = call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": DefaultPoolID})
	require.EqualValues(t, 1, out["UserPool"].(map[string]any)["EstimatedNumberOfUsers"])
	requireAPIError(t, p, "DescribeUserPool", map[string]any{"UserPoolId": "us-east-1_nothere00"}, codeResourceNotFound, "")
}

func TestListUserPoolsPages(t *testing.T) {
	p := newPool(t, Config{})
	for _, name := range []string{"a", "b", "c"} {
		createPool(t, p, map[string]any{"PoolName": name})
	}
	var names []any
	token := ""
	for pages := 0; ; pages++ {
		in := map[string]any{"MaxResults": 3}
		if token != "" {
			in["NextToken"] = token
		}
		status, out := call(t, p, "ListUserPools", in)
		require.Equal(t, http.StatusOK, status)
		for _, up := range out["UserPools"].([]any) {
			d := up.(map[string]any)
			require.Contains(t, d, "Id")
			require.IsType(t, float64(0), d["CreationDate"])
			names = append(names, d["Name"])
		}
		next, ok := out["NextToken"].(string)
		if !ok {
			// The last page has no NextToken.
			require.Equal(t, 1, pages)
			break
		}
		token = next
	}
	require.Equal(t, []any{DefaultPoolID, "a", "b", "c"}, names)
	// MaxResults is required, 1 to 60.
	for _, n := range []int{0, 61, -1} {
		requireAPIError(t, p, "ListUserPools", map[string]any{"MaxResults": n}, codeInvalidParameter, "")
	}
	requireAPIError(t, p, "ListUserPools", map[string]any{}, codeInvalidParameter, "")
	requireAPIError(t, p, "ListUserPools", map[string]any{"MaxResults": 1, "NextToken": "forged"}, codeInvalidParameter, "")
}

func TestUpdateUserPoolResetsOmittedSettings(t *testing.T) {
	p := newPool(t, Config{})
	id := createPool(t, p, map[string]any{
		"PoolName": "u", "AutoVerifiedAttributes": []string{"email"},
		"AdminCreateUserConfig": map[string]any{"AllowAdminCreateUserOnly": true},
		"Policies":              map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 12}},
	})["Id"]
	// UpdateUserPool: "If you don't provide a value for an attribute, Amazon
	// Cognito sets it to its default value."
	status, _ := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": id, "DeletionProtection": "ACTIVE"})
	require.Equal(t, http.StatusOK, status)
	_, out := call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": id})
	up := out["UserPool"].(map[string]any)
	require.Equal(t, "ACTIVE", up["DeletionProtection"])
	require.NotContains(t, up, "AutoVerifiedAttributes")
	require.Equal(t, false, up["AdminCreateUserConfig"].(map[string]any)["AllowAdminCreateUserOnly"])
	require.EqualValues(t, 8, up["Policies"].(map[string]any)["PasswordPolicy"].(map[string]any)["MinimumLength"])
	require.Equal(t, "u", up["Name"], "the name stays unless given")
	require.GreaterOrEqual(t, up["LastModifiedDate"].(float64), up["CreationDate"].(float64))
}

func TestUpdateUserPoolRefusesImmutableSettings(t *testing.T) {
	p := newPool(t, Config{})
	id := createPool(t, p, map[string]any{"PoolName": "fixed"})["Id"]
	// CreateUserPool: alias and username attributes, the schema and the
	// username configuration are fixed once the pool exists; UpdateUserPool
	// takes none of the first three. What Cognito answers when they are
	// sent anyway is not documented: the pool refuses them, so that a
	// script does not believe it changed them.
	for name, extra := range map[string]map[string]any{
		"alias":          {"AliasAttributes": []string{"email"}},
		"username attrs": {"UsernameAttributes": []string{"email"}},
		"schema":         {"Schema": []map[string]any{{"Name": "dept"}}},
		"case":           {"UsernameConfiguration": map[string]any{"CaseSensitive": false}},
	} {
		extra["UserPoolId"] = id
		status, out := call(t, p, "UpdateUserPool", extra)
		require.Equal(t, http.StatusBadRequest, status, name)
		require.Equal(t, codeInvalidParameter, out["__type"], name)
	}
	// The same case sensitivity is no change.
	status, _ := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": id, "UsernameConfiguration": map[string]any{"CaseSensitive": true}})
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, p, "UpdateUserPool", map[string]any{"UserPoolId": "us-east-1_nothere00"}, codeResourceNotFound, "")
}

func TestDeleteUserPoolHonoursDeletionProtection(t *testing.T) {
	p := newPool(t, Config{})
	id := createPool(t, p, map[string]any{"PoolName": "protected", "DeletionProtection": "ACTIVE"})["Id"]
	// CreateUserPool, DeletionProtection: "Before you can delete a user pool
	// that you have protected against deletion, you must deactivate this
	// feature"; the refusal is InvalidParameterException.
	requireAPIError(t, p, "DeleteUserPool", map[string]any{"UserPoolId": id}, codeInvalidParameter, "")
	_, ok := p.Service().Pool(id.(string))
	require.True(t, ok)
	status, _ := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": id, "DeletionProtection": "INACTIVE"})
	require.Equal(t, http.StatusOK, status)
	status, _ = call(t, p, "DeleteUserPool", map[string]any{"UserPoolId": id})
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, p, "DescribeUserPool", map[string]any{"UserPoolId": id}, codeResourceNotFound, "")
	requireAPIError(t, p, "DeleteUserPool", map[string]any{"UserPoolId": id}, codeResourceNotFound, "")
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
