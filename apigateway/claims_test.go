package apigateway_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/apigateway"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// requireKind asserts that err wraps the sentinel want.
func requireKind(t *testing.T, want, err error) {
	t.Helper()
	require.Error(t, err)
	require.Truef(t, errors.Is(err, want), "error %q does not wrap %q", err, want)
}

// gatewayFlatten renders claims the way an HTTP API JWT authorizer hands
// them to the integration: every value a string, numbers in decimal,
// arrays as "[a b]".
func gatewayFlatten(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for name, v := range claims {
		switch v := v.(type) {
		case string:
			out[name] = v
		case int:
			out[name] = strconv.Itoa(v)
		case int64:
			out[name] = strconv.FormatInt(v, 10)
		case bool:
			out[name] = strconv.FormatBool(v)
		case []string:
			out[name] = "[" + strings.Join(v, " ") + "]"
		default:
			out[name] = fmt.Sprint(v)
		}
	}
	return out
}

// accessClaims is what the gateway hands over for a typical access token.
func accessClaims() map[string]string {
	return map[string]string{
		"sub":              "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"iss":              "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
		"client_id":        "1example23456789",
		"origin_jti":       "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"event_id":         "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"token_use":        "access",
		"scope":            "openid orders/read",
		"auth_time":        "1750000000",
		"exp":              "1750003600",
		"iat":              "1750000000",
		"jti":              "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"username":         "alice",
		"version":          "2",
		"cognito:groups":   "[admin users]",
		"custom:tenant_id": "acme",
		"identities":       "[map[providerName:Google userId:1]]",
	}
}

func TestClaimsRebuildsTypedClaims(t *testing.T) {
	c, err := apigateway.Claims(accessClaims())
	require.NoError(t, err)
	require.Equal(t, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", c.Subject)
	require.Equal(t, "alice", c.Username)
	require.Equal(t, "1example23456789", c.ClientID)
	require.Equal(t, cognitojwt.AccessToken, c.TokenUse)
	require.Equal(t, []string{"admin", "users"}, c.Groups.Slice())
	require.Equal(t, []string{"openid", "orders/read"}, c.Scopes.Slice())
	require.Equal(t, 2, c.Version)
	require.Equal(t, time.Unix(1750003600, 0).UTC(), c.ExpiresAt)
	require.Equal(t, time.Unix(1750000000, 0).UTC(), c.IssuedAt)
	require.Equal(t, time.Unix(1750000000, 0).UTC(), c.AuthTime)
	require.True(t, c.InGroup("admin"))
	require.True(t, authz.AllOf(authz.InAnyGroup("users"), authz.HasAllScopes("orders/read"))(c))

	tenant, ok := c.Attribute("tenant_id")
	require.True(t, ok)
	require.Equal(t, "acme", tenant)
	exp, ok := c.Get("exp")
	require.True(t, ok)
	require.Equal(t, float64(1750003600), exp, "dates are numbers again, as in the token")
	groups, ok := c.Get("cognito:groups")
	require.True(t, ok)
	require.Equal(t, []any{"admin", "users"}, groups)
	identities, ok := c.Get("identities")
	require.True(t, ok)
	require.IsType(t, "", identities, "a flattened array of objects stays the gateway's string")
	var decoded struct {
		Version int `json:"version"`
	}
	require.NoError(t, c.Decode(&decoded))
	require.Equal(t, 2, decoded.Version)
}

// The claims a gateway hands over for a token rebuild to the Claims Verify
// returns for that token.
func TestClaimsMatchesVerify(t *testing.T) {
	iss := cognitotest.NewIssuer(t, cognitotest.WithPoolID("us-east-1_Gateway"))
	opts := []cognitotest.TokenOption{
		cognitotest.WithGroups("admin", "ops-team", `"quoted"`, "a,b", "Ünïcödé"),
		cognitotest.WithScopes("orders/read", "orders/write"),
		cognitotest.WithAttribute("tenant_id", "acme"),
		cognitotest.WithUsername("alice"),
	}
	for _, use := range []cognitojwt.TokenUse{cognitojwt.AccessToken, cognitojwt.IDToken} {
		t.Run(string(use), func(t *testing.T) {
			raw := iss.Claims(string(use), opts...)
			cfg := iss.Config(cognitotest.DefaultClientID)
			cfg.TokenUse = use
			v, err := cognitojwt.New(cfg)
			require.NoError(t, err)
			want, err := v.Verify(context.Background(), iss.Sign(nil, raw))
			require.NoError(t, err)

			got, err := apigateway.Claims(gatewayFlatten(raw))
			require.NoError(t, err)
			want.KeyID = "" // the gateway does not pass the header on
			// The typed fields agree; the payloads differ in encoding only.
			require.Equal(t, typedFields(want), typedFields(got))
			require.Equal(t, []string{"admin", "ops-team", `"quoted"`, "a,b", "Ünïcödé"}, got.Groups.Slice())
		})
	}
}

// typedFields returns the exported fields of c as a map, for comparing
// Claims built from different payload encodings.
func typedFields(c *cognitojwt.Claims) map[string]any {
	return map[string]any{
		"Subject": c.Subject, "Username": c.Username, "ClientID": c.ClientID, "Issuer": c.Issuer,
		"JWTID": c.JWTID, "OriginJTI": c.OriginJTI, "EventID": c.EventID, "TokenUse": c.TokenUse,
		"Groups": c.Groups, "Scopes": c.Scopes, "Email": c.Email, "EmailVerified": c.EmailVerified,
		"Version": c.Version, "IssuedAt": c.IssuedAt, "ExpiresAt": c.ExpiresAt, "NotBefore": c.NotBefore,
		"AuthTime": c.AuthTime, "KeyID": c.KeyID,
	}
}

func TestClaimsIDToken(t *testing.T) {
	claims := map[string]string{
		"sub":              "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"iss":              "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
		"aud":              "1example23456789",
		"token_use":        "id",
		"cognito:username": "alice",
		"email":            "alice@example.com",
		"email_verified":   "true",
		"exp":              "1750003600",
		"cognito:roles":    "[arn:aws:iam::123456789012:role/a arn:aws:iam::123456789012:role/b]",
	}
	c, err := apigateway.Claims(claims)
	require.NoError(t, err)
	require.Equal(t, cognitojwt.IDToken, c.TokenUse)
	require.Equal(t, "1example23456789", c.ClientID)
	require.Equal(t, "alice", c.Username)
	require.True(t, c.EmailVerified)
	roles, ok := c.Get("cognito:roles")
	require.True(t, ok)
	require.Equal(t, []any{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"}, roles)
}

// TestClaimsReadsOneArrayForm: arrays are read only in the
// form the gateway renders, "[a b]", element by element as written.
func TestClaimsReadsOneArrayForm(t *testing.T) {
	cases := map[string][]string{
		"[admin]":                {"admin"},
		"[admin users]":          {"admin", "users"},
		"[]":                     {},
		`["admin"]`:              {`"admin"`},
		`["admin","users"]`:      {`"admin","users"`},
		`["esc\u0061ped"]`:       {`"esc\u0061ped"`},
		"[1 2]":                  {"1", "2"},
		"[a,b c]":                {"a,b", "c"},
		"[Ünïcödé グループ]":         {"Ünïcödé", "グループ"},
		"[us-east-1_Abc_Google]": {"us-east-1_Abc_Google"},
	}
	for flat, want := range cases {
		t.Run(flat, func(t *testing.T) {
			claims := accessClaims()
			claims["cognito:groups"] = flat
			c, err := apigateway.Claims(claims)
			require.NoError(t, err)
			require.Equal(t, want, c.Groups.Slice())
		})
	}
}

// TestClaimsQuotedGroupIsNotTheBareGroup is the
// reproduction: a group literally named "admin", quotes included, arrives
// as ["admin"] and must not grant the group admin.
func TestClaimsQuotedGroupIsNotTheBareGroup(t *testing.T) {
	claims := accessClaims()
	claims["cognito:groups"] = `["admin"]`
	c, err := apigateway.Claims(claims)
	require.NoError(t, err)
	require.False(t, c.InGroup("admin"))
	require.False(t, authz.InAnyGroup("admin")(c))
	require.True(t, c.InGroup(`"admin"`))
}

// TestClaimsRefusesAmbiguousArrays: an element that is empty
// or holds white space, a control or format character or a bracket could
// have come from more than one array, so the claims are refused.
func TestClaimsRefusesAmbiguousArrays(t *testing.T) {
	for _, bad := range []string{
		"[admin  users]", "[ admin]", "[admin ]", "[ ]",
		"[a\tb]", "[a\nb]", "[a\u00a0b]", "[a\u200bb]", "[a\u0000b]",
		"[[x] y]", "[[x]]", "[a]b]", "[a[b]",
	} {
		for _, claim := range []string{"cognito:groups", "cognito:roles"} {
			t.Run(claim+" "+bad, func(t *testing.T) {
				claims := accessClaims()
				claims[claim] = bad
				_, err := apigateway.Claims(claims)
				requireKind(t, cognitojwt.ErrMalformedToken, err)
			})
		}
	}
}

// TestClaimsRefusesOtherForms: only the bracketed form is
// an array.
func TestClaimsRefusesOtherForms(t *testing.T) {
	for _, bad := range []string{"", "admin", "admin users", "admin,users", "[admin", "admin]", "]", "[", "(admin)"} {
		t.Run(bad, func(t *testing.T) {
			claims := accessClaims()
			claims["cognito:groups"] = bad
			_, err := apigateway.Claims(claims)
			requireKind(t, cognitojwt.ErrMalformedToken, err)
		})
	}
}

// TestClaimsRefusesFoldedClaimNames: a name that folds to a
// Cognito claim is refused here as in Verify.
func TestClaimsRefusesFoldedClaimNames(t *testing.T) {
	for _, name := range []string{"SUB", "\u017fub", "Cognito:Groups"} {
		t.Run(name, func(t *testing.T) {
			claims := accessClaims()
			claims[name] = "x"
			_, err := apigateway.Claims(claims)
			requireKind(t, cognitojwt.ErrMalformedToken, err)
		})
	}
}

func TestClaimsIsStrict(t *testing.T) {
	cases := []struct {
		name string
		edit func(map[string]string)
		want error
	}{
		{"exp float", func(c map[string]string) { c["exp"] = "1750003600.5" }, cognitojwt.ErrMalformedToken},
		{"exp exponent", func(c map[string]string) { c["exp"] = "1.7500036E9" }, cognitojwt.ErrMalformedToken},
		{"exp plus", func(c map[string]string) { c["exp"] = "+1750003600" }, cognitojwt.ErrMalformedToken},
		{"exp space", func(c map[string]string) { c["exp"] = " 1750003600" }, cognitojwt.ErrMalformedToken},
		{"exp underscore", func(c map[string]string) { c["exp"] = "1_750_003_600" }, cognitojwt.ErrMalformedToken},
		{"exp hex", func(c map[string]string) { c["exp"] = "0x6853c050" }, cognitojwt.ErrMalformedToken},
		{"exp empty", func(c map[string]string) { c["exp"] = "" }, cognitojwt.ErrMalformedToken},
		{"exp minus only", func(c map[string]string) { c["exp"] = "-" }, cognitojwt.ErrMalformedToken},
		{"exp beyond 9999", func(c map[string]string) { c["exp"] = "253402300800" }, cognitojwt.ErrMalformedToken},
		{"exp overflow", func(c map[string]string) { c["exp"] = "99999999999999999999" }, cognitojwt.ErrMalformedToken},
		{"exp missing", func(c map[string]string) { delete(c, "exp") }, cognitojwt.ErrMalformedToken},
		{"iat text", func(c map[string]string) { c["iat"] = "yesterday" }, cognitojwt.ErrMalformedToken},
		{"auth_time float", func(c map[string]string) { c["auth_time"] = "1.5" }, cognitojwt.ErrMalformedToken},
		{"nbf text", func(c map[string]string) { c["nbf"] = "soon" }, cognitojwt.ErrMalformedToken},
		{"version negative", func(c map[string]string) { c["version"] = "-1" }, cognitojwt.ErrMalformedToken},
		{"version float", func(c map[string]string) { c["version"] = "2.0" }, cognitojwt.ErrMalformedToken},
		{"version huge", func(c map[string]string) { c["version"] = "4294967296" }, cognitojwt.ErrMalformedToken},
		{"email_verified True", func(c map[string]string) { c["email_verified"] = "True" }, cognitojwt.ErrMalformedToken},
		{"email_verified 1", func(c map[string]string) { c["email_verified"] = "1" }, cognitojwt.ErrMalformedToken},
		{"phone_number_verified yes", func(c map[string]string) { c["phone_number_verified"] = "yes" }, cognitojwt.ErrMalformedToken},
		{"invalid UTF-8 value", func(c map[string]string) { c["username"] = "al\xffice" }, cognitojwt.ErrMalformedToken},
		{"invalid UTF-8 name", func(c map[string]string) { c["custom:\xff"] = "x" }, cognitojwt.ErrMalformedToken},
		{"iss missing", func(c map[string]string) { delete(c, "iss") }, cognitojwt.ErrWrongIssuer},
		{"iss empty", func(c map[string]string) { c["iss"] = "" }, cognitojwt.ErrWrongIssuer},
		{"token_use missing", func(c map[string]string) { delete(c, "token_use") }, cognitojwt.ErrWrongTokenUse},
		{"token_use refresh", func(c map[string]string) { c["token_use"] = "refresh" }, cognitojwt.ErrWrongTokenUse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			claims := maps.Clone(accessClaims())
			tc.edit(claims)
			c, err := apigateway.Claims(claims)
			require.Nil(t, c)
			requireKind(t, tc.want, err)
		})
	}

	_, err := apigateway.Claims(nil)
	requireKind(t, cognitojwt.ErrNoToken, err)
	_, err = apigateway.Claims(map[string]string{})
	requireKind(t, cognitojwt.ErrNoToken, err)

	// Values that are merely unusual pass through unchanged.
	claims := accessClaims()
	claims["exp"] = "-1"
	claims["custom:note"] = `</script>"&`
	c, err := apigateway.Claims(claims)
	require.NoError(t, err, "an expired exp is the gateway's business, not this function's")
	note, ok := c.Attribute("note")
	require.True(t, ok)
	require.Equal(t, `</script>"&`, note)
}
