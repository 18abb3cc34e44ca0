package cognitotest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestNewUserPoolServesAndCloses(t *testing.T) {
	var url string
	t.Run("pool", func(t *testing.T) {
		pool := cognitotest.NewUserPool(t, cognitolocal.Config{PoolID: "local_Test"})
		url = pool.URL()
		_, err := pool.CreateUser("alice", "Passw0rd!", map[string]string{"custom:tenant_id": "acme"})
		require.NoError(t, err)
		tok, err := pool.SignIn(context.Background(), cognitolocal.DefaultClientID, "alice", "Passw0rd!")
		require.NoError(t, err)
		v, err := cognitojwt.New(cognitojwt.Config{Issuer: pool.Issuer(), ClientIDs: []string{cognitolocal.DefaultClientID}})
		require.NoError(t, err)
		c, err := v.Verify(context.Background(), tok.AccessToken)
		require.NoError(t, err, "verified over the network against the served JWKS")
		require.Equal(t, "alice", c.Username)
		_, ok := c.Attribute("tenant_id")
		require.False(t, ok)
	})
	_, err := http.Get(url + "/local_Test/.well-known/jwks.json")
	require.Error(t, err, "closed when the test ended")
}

func TestClaimsForHandlerTests(t *testing.T) {
	access := cognitotest.Claims(t, cognitojwt.AccessToken, cognitotest.WithUsername("bob"), cognitotest.WithGroups("admin"),
		cognitotest.WithAttribute("tenant_id", "acme"), cognitotest.WithPreTokenGenerationClaim("department", "R&D"))
	require.Equal(t, "bob", access.Username)
	require.True(t, access.InGroup("admin"))
	_, ok := access.Attribute("tenant_id")
	require.False(t, ok, "attributes are in ID tokens only")
	dept, ok := access.Attribute("department")
	require.True(t, ok)
	require.Equal(t, "R&D", dept)

	id := cognitotest.Claims(t, cognitojwt.IDToken, cognitotest.WithAttribute("tenant_id", "acme"))
	tenant, _ := id.Attribute("tenant_id")
	require.Equal(t, "acme", tenant)
	require.Equal(t, "alice@example.com", id.Email)

	// Into a handler, as the middleware would put them.
	h := authz.RequireAnyGroup("admin")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := cognitojwt.ClaimsFromContext(r.Context())
		_, _ = w.Write([]byte(c.Username))
	}))
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	h.ServeHTTP(rec, r.WithContext(cognitojwt.ContextWithAuthentication(r.Context(), cognitojwt.Authentication{Claims: access})))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "bob", rec.Body.String())
}

// fatalRecorder records Fatalf instead of ending the test.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(string, ...any) {
	f.failed = true
	panic(f)
}

func TestClaimsUnverifiableOptionsFailTheTest(t *testing.T) {
	for name, opt := range map[string]cognitotest.TokenOption{
		"expired":         cognitotest.WithLifetime(-time.Hour),
		"protected":       cognitotest.WithPreTokenGenerationClaim("iss", "x"),
		"wrong token_use": cognitotest.WithClaim("token_use", "id"),
	} {
		f := &fatalRecorder{TB: t}
		func() {
			defer func() { _ = recover() }()
			cognitotest.Claims(f, cognitojwt.AccessToken, opt)
		}()
		require.True(t, f.failed, name)
	}
}

// api calls the pool's JSON API over HTTP as any client would.
func api(t *testing.T, pool *cognitolocal.Server, op string, in any) map[string]any {
	t.Helper()
	b, err := json.Marshal(in)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, pool.Endpoint()+"/", bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.Equal(t, http.StatusOK, resp.StatusCode, out)
	return out
}

// A subscription upgrade: the service updates the user from code, the
// user's next tokens carry it, and a group-guarded route admits the new
// token while the old one is still refused.
func TestSubscriptionUpgradeReachesTheNextTokens(t *testing.T) {
	pool := cognitotest.NewUserPool(t, cognitolocal.Config{})
	require.NoError(t, pool.AddCustomAttribute("subscription", true))
	require.NoError(t, pool.CreateGroup("PremiumUsers"))
	_, err := pool.CreateUser("alice", "Passw0rd!", map[string]string{"custom:subscription": "Free"})
	require.NoError(t, err)
	old, err := pool.SignIn(context.Background(), cognitolocal.DefaultClientID, "alice", "Passw0rd!")
	require.NoError(t, err)

	v, err := cognitojwt.New(cognitojwt.Config{Issuer: pool.Issuer(), ClientIDs: []string{cognitolocal.DefaultClientID}})
	require.NoError(t, err)
	premium := cognitojwt.Middleware(v)(authz.RequireAnyGroup("PremiumUsers")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	status := func(token string) int {
		r := httptest.NewRequest(http.MethodGet, "/premium", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		premium.ServeHTTP(rec, r)
		return rec.Code
	}
	require.Equal(t, http.StatusForbidden, status(old.AccessToken))

	api(t, pool, "AdminUpdateUserAttributes", map[string]any{"UserPoolId": pool.PoolID(), "Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "custom:subscription", "Value": "Premium"}}})
	api(t, pool, "AdminAddUserToGroup", map[string]any{"UserPoolId": pool.PoolID(), "Username": "alice", "GroupName": "PremiumUsers"})
	out := api(t, pool, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": cognitolocal.DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": old.RefreshToken}})
	res := out["AuthenticationResult"].(map[string]any)

	idv, err := pool.Verifier(cognitolocal.DefaultClientID, cognitojwt.IDToken)
	require.NoError(t, err)
	id, err := idv.Verify(context.Background(), res["IdToken"].(string))
	require.NoError(t, err)
	sub, _ := id.Attribute("subscription")
	require.Equal(t, "Premium", sub)
	require.True(t, id.InGroup("PremiumUsers"))

	require.Equal(t, http.StatusNoContent, status(res["AccessToken"].(string)))
	require.Equal(t, http.StatusForbidden, status(old.AccessToken), "the old token keeps the groups it was issued with")
}
