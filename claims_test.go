package cognitojwt_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestClaimsAttribute(t *testing.T) {
	f := newFixture(t, nil)
	c := claimsOf(t, f,
		cognitotest.WithPreTokenGenerationClaim("custom:tenant_id", "acme"),
		cognitotest.WithClaim("tenant_id", "shadowed"),
		cognitotest.WithClaim("department", "R&D"),
		cognitotest.WithClaim("email", "alice@example.com"),
		cognitotest.WithClaim("custom:level", 3),
		cognitotest.WithClaim("custom:escaped", "caf\u00e9"),
	)
	tests := []struct {
		name   string
		want   string
		wantOK bool
	}{
		{"tenant_id", "acme", true},
		{"custom:tenant_id", "acme", true},
		{"department", "R&D", true},
		{"email", "alice@example.com", true},
		{"escaped", "caf\u00e9", true},
		{"username", "alice", true},
		{"level", "", false},
		{"custom:level", "", false},
		{"exp", "", false},
		{"missing", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.Attribute(tt.name)
			require.Equal(t, tt.wantOK, ok)
			require.Equal(t, tt.want, got)
		})
	}
	var nilClaims *cognitojwt.Claims
	_, ok := nilClaims.Attribute("tenant_id")
	require.False(t, ok)
}

func TestClaimsGetAndDecode(t *testing.T) {
	f := newFixture(t, nil)
	c := claimsOf(t, f,
		cognitotest.WithClaim("birthdate", "1990-05-17"),
		cognitotest.WithClaim("department", "R&D"),
		cognitotest.WithClaim("level", 3),
		cognitotest.WithClaim("ratio", 0.25),
		cognitotest.WithClaim("big", int64(1)<<53),
		cognitotest.WithClaim("flag", true),
		cognitotest.WithClaim("nothing", nil),
		cognitotest.WithClaim("org", map[string]any{"id": "acme", "units": []any{"a", "b"}}),
		cognitotest.WithClaim("tags", []string{"x", "y"}),
	)
	tests := []struct {
		name string
		want any
	}{
		{"birthdate", "1990-05-17"},
		{"department", "R&D"},
		{"level", float64(3)},
		{"ratio", 0.25},
		{"big", float64(int64(1) << 53)},
		{"flag", true},
		{"nothing", nil},
		{"org", map[string]any{"id": "acme", "units": []any{"a", "b"}}},
		{"tags", []any{"x", "y"}},
		{"version", float64(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.Get(tt.name)
			require.True(t, ok)
			require.Equal(t, tt.want, got)
		})
	}
	_, ok := c.Get("missing")
	require.False(t, ok)

	t.Run("Get returns fresh values", func(t *testing.T) {
		org, _ := c.Get("org")
		org.(map[string]any)["id"] = "mallory"
		org.(map[string]any)["units"].([]any)[0] = "z"
		tags, _ := c.Get("tags")
		tags.([]any)[0] = "z"

		again, _ := c.Get("org")
		require.Equal(t, map[string]any{"id": "acme", "units": []any{"a", "b"}}, again)
		tags, _ = c.Get("tags")
		require.Equal(t, []any{"x", "y"}, tags)
	})

	t.Run("Decode", func(t *testing.T) {
		type trigger struct {
			Birthdate  string         `json:"birthdate"`
			Department string         `json:"department"`
			Level      int            `json:"level"`
			Org        map[string]any `json:"org"`
			Tags       []string       `json:"tags"`
			Username   string         `json:"username"`
		}
		var a trigger
		require.NoError(t, c.Decode(&a))
		require.Equal(t, trigger{
			Birthdate: "1990-05-17", Department: "R&D", Level: 3,
			Org:  map[string]any{"id": "acme", "units": []any{"a", "b"}},
			Tags: []string{"x", "y"}, Username: "alice",
		}, a)
		a.Org["id"] = "mallory"
		a.Tags[0] = "z"
		var b trigger
		require.NoError(t, c.Decode(&b))
		require.Equal(t, "acme", b.Org["id"])
		require.Equal(t, "x", b.Tags[0])
	})

	t.Run("RawPayload is the decoded payload, copied", func(t *testing.T) {
		raw := c.RawPayload()
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		require.Equal(t, "R&D", m["department"])
		raw[1] = 'X'
		require.NotEqual(t, raw, c.RawPayload())
	})

	t.Run("a verifier served the same token hands out unshared values", func(t *testing.T) {
		token := f.iss.AccessToken(cognitotest.WithClaim("org", map[string]any{"id": "acme"}))
		first, err := f.verify(token)
		require.NoError(t, err)
		org, _ := first.Get("org")
		org.(map[string]any)["id"] = "mallory"
		second, err := f.verify(token)
		require.NoError(t, err)
		org, _ = second.Get("org")
		require.Equal(t, "acme", org.(map[string]any)["id"])
	})

	var nilClaims *cognitojwt.Claims
	_, ok = nilClaims.Get("x")
	require.False(t, ok)
	require.Error(t, nilClaims.Decode(&struct{}{}))
	require.Nil(t, nilClaims.RawPayload())
	require.False(t, nilClaims.InGroup("x"))
	require.False(t, nilClaims.HasScope("x"))
}

func TestClaimsBirthdateAndAge(t *testing.T) {
	f := newFixture(t, nil)
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		require.NoError(t, err)
		return d
	}
	tests := []struct {
		name      string
		birthdate any // nil: no claim
		now       string
		wantDate  string // "": absent
		wantAge   int
		wantAgeOK bool
	}{
		{"birthday today", "2000-06-15", "2018-06-15", "2000-06-15", 18, true},
		{"day before birthday", "2000-06-15", "2018-06-14", "2000-06-15", 17, true},
		{"month before birthday", "2000-06-15", "2018-05-20", "2000-06-15", 17, true},
		{"day after birthday", "2000-06-15", "2018-06-16", "2000-06-15", 18, true},
		{"born today", "2018-06-15", "2018-06-15", "2018-06-15", 0, true},
		{"born tomorrow", "2018-06-16", "2018-06-15", "2018-06-16", 0, false},
		{"born next year", "2019-01-01", "2018-06-15", "2019-01-01", 0, false},
		{"29 February in a common year", "2000-02-29", "2018-02-28", "2000-02-29", 17, true},
		{"1 March after 29 February", "2000-02-29", "2018-03-01", "2000-02-29", 18, true},
		{"yearless", "0000-06-15", "2018-06-15", "", 0, false},
		{"not a date", "15/06/2000", "2018-06-15", "", 0, false},
		{"no zero padding", "2000-6-15", "2018-06-15", "", 0, false},
		{"impossible day", "2001-02-29", "2018-06-15", "", 0, false},
		{"with time", "2000-06-15T00:00:00Z", "2018-06-15", "", 0, false},
		{"number", 20000615, "2018-06-15", "", 0, false},
		{"absent", nil, "2018-06-15", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []cognitotest.TokenOption
			if tt.birthdate != nil {
				opts = append(opts, cognitotest.WithClaim("birthdate", tt.birthdate))
			}
			c := claimsOf(t, f, opts...)
			got, ok := c.Birthdate()
			require.Equal(t, tt.wantDate != "", ok)
			if ok {
				require.Equal(t, day(tt.wantDate), got)
			}
			age, ok := c.AgeAt(day(tt.now).Add(12 * time.Hour))
			require.Equal(t, tt.wantAgeOK, ok)
			require.Equal(t, tt.wantAge, age)
		})
	}
	var nilClaims *cognitojwt.Claims
	_, ok := nilClaims.AgeAt(time.Now())
	require.False(t, ok)
}

// cognitoClaimNames are the claims Cognito defines; a member name that
// folds to one of them without being it is refused.
var cognitoClaimNames = []string{
	"sub", "iss", "aud", "client_id", "token_use", "scope", "username", "cognito:username",
	"cognito:groups", "cognito:roles", "cognito:preferred_role", "jti", "origin_jti", "event_id",
	"version", "exp", "iat", "nbf", "auth_time", "at_hash", "email", "email_verified",
	"phone_number", "phone_number_verified", "birthdate", "identities", "acr", "amr", "azp", "nonce",
}

// foldedSpellings returns the spellings of name that encoding/json would
// match to a field tagged name: all upper case, a capital first letter,
// and s and k written as U+017F and U+212A.
func foldedSpellings(name string) []string {
	out := []string{strings.ToUpper(name), strings.ToUpper(name[:1]) + name[1:]}
	if strings.Contains(name, "s") {
		out = append(out, strings.Replace(name, "s", "\u017f", 1))
	}
	if strings.Contains(name, "k") {
		out = append(out, strings.Replace(name, "k", "\u212a", 1))
	}
	return out
}

// signedWith signs the issuer's usual access-token claims with the claim
// canonical replaced by spelling (or added under it).
func signedWith(f *fixture, canonical, spelling string) string {
	claims := f.iss.Claims("access")
	v, ok := claims[canonical]
	if !ok {
		v = "admin"
	}
	delete(claims, canonical)
	claims[spelling] = v
	return f.iss.Sign(nil, claims)
}

// TestClaimReadersShareOneView: a name that folds to no Cognito claim is
// accepted, and Get, Attribute and Decode read it under its exact name,
// as the typed fields read theirs.
func TestClaimReadersShareOneView(t *testing.T) {
	f := newFixture(t, nil)
	c := claimsOf(t, f,
		cognitotest.WithGroups("admin", "ops"),
		cognitotest.WithScopes("read", "write"),
		cognitotest.WithClaim("Department", "R&D"),
		cognitotest.WithClaim("custom:TenantId", "acme"),
	)
	got, ok := c.Get("Department")
	require.True(t, ok)
	require.Equal(t, "R&D", got)
	tenant, ok := c.Attribute("TenantId")
	require.True(t, ok)
	require.Equal(t, "acme", tenant)

	var d struct {
		Subject    string   `json:"sub"`
		Username   string   `json:"username"`
		Groups     []string `json:"cognito:groups"`
		Scope      string   `json:"scope"`
		ClientID   string   `json:"client_id"`
		Department string   `json:"Department"`
		Tenant     string   `json:"custom:TenantId"`
	}
	require.NoError(t, c.Decode(&d))
	require.Equal(t, c.Subject, d.Subject)
	require.Equal(t, c.Username, d.Username)
	require.Equal(t, c.Groups.Slice(), d.Groups)
	require.Equal(t, c.Scopes.Slice(), strings.Split(d.Scope, " "))
	require.Equal(t, c.ClientID, d.ClientID)
	require.Equal(t, "R&D", d.Department)
	require.Equal(t, "acme", d.Tenant)
}
