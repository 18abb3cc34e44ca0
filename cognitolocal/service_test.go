package cognitolocal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
)

// twoPools returns the pool New made (with alice) and a second pool of its
// service with user bob and a client allowing password sign-in and the
// code flow.
func twoPools(t *testing.T) (a, b *Pool, bClient string) {
	t.Helper()
	a = newPool(t, Config{})
	b, err := a.Service().CreatePool(Config{PoolID: "eu-west-1_Second001", Key: testKey(t)})
	require.NoError(t, err)
	_, err = b.CreateUser("bob", testPassword, map[string]string{"email": "bob@example.com"})
	require.NoError(t, err)
	c, err := b.CreateAppClient(AppClient{
		ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email"},
		CallbackURLs: []string{"http://localhost:3000/cb"},
	})
	require.NoError(t, err)
	return a, b, c.ClientID
}

func TestEachPoolIsItsOwnIssuer(t *testing.T) {
	a, b, _ := twoPools(t)
	require.NotEqual(t, a.Issuer(), b.Issuer())
	require.Equal(t, a.Endpoint()+"/eu-west-1_Second001", b.Issuer())
	for _, p := range []*Pool{a, b} {
		rec := serve(a, httptest.NewRequest(http.MethodGet, "/"+p.PoolID()+"/.well-known/openid-configuration", nil))
		require.Equal(t, http.StatusOK, rec.Code)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
		require.Equal(t, p.Issuer(), doc["issuer"])
		require.Equal(t, p.JWKSURL(), doc["jwks_uri"])
		rec = serve(a, httptest.NewRequest(http.MethodGet, "/"+p.PoolID()+"/.well-known/jwks.json", nil))
		require.JSONEq(t, string(p.JWKS()), rec.Body.String())
	}
	require.Equal(t, http.StatusNotFound, serve(a, httptest.NewRequest(http.MethodGet, "/us-east-1_nothere00/.well-known/jwks.json", nil)).Code)
}

func TestPoolsHaveTheirOwnKeys(t *testing.T) {
	a := newPool(t, Config{})
	b, err := a.Service().CreatePool(Config{}) // a fresh key
	require.NoError(t, err)
	require.Regexp(t, `^us-east-1_[0-9A-Za-z]{9}$`, b.PoolID())
	require.NotEqual(t, a.SigningKeys()[0].KeyID, b.SigningKeys()[0].KeyID)
	_, err = b.CreateUser("bob", testPassword, nil)
	require.NoError(t, err)
	tok, err := b.SignIn(context.Background(), DefaultClientID, "bob", testPassword)
	require.NoError(t, err)
	vb, err := b.Verifier(DefaultClientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	_, err = vb.Verify(context.Background(), tok.AccessToken)
	require.NoError(t, err)
	va, err := a.Verifier(DefaultClientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	_, err = va.Verify(context.Background(), tok.AccessToken)
	require.Error(t, err, "another pool's token")
}

func TestAPIRoutesByPoolClientAndToken(t *testing.T) {
	a, b, bClient := twoPools(t)
	// By ClientId: bob signs in to the second pool through the first's
	// handler, and its access token names the second issuer.
	status, out := call(t, a, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": bClient,
		"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": testPassword}})
	require.Equal(t, http.StatusOK, status, out)
	access := out["AuthenticationResult"].(map[string]any)["AccessToken"].(string)
	require.Equal(t, b.Issuer(), payload(t, access)["iss"])
	// By AccessToken: GetUser reaches the second pool.
	status, out = call(t, a, "GetUser", map[string]any{"AccessToken": access})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "bob", out["Username"])
	// By UserPoolId: each pool has its own users.
	status, _ = call(t, a, "AdminGetUser", map[string]any{"UserPoolId": b.PoolID(), "Username": "bob"})
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, a, "AdminGetUser", map[string]any{"UserPoolId": b.PoolID(), "Username": "alice"}, codeUserNotFound, "")
	requireAPIError(t, a, "AdminGetUser", map[string]any{"UserPoolId": "us-east-1_nothere00", "Username": "alice"}, codeResourceNotFound, "")
	// A client of one pool does not sign in users of another: to a client
	// made through the API (PreventUserExistenceErrors LEGACY) the user
	// does not exist.
	requireAPIError(t, a, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": bClient,
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeUserNotFound, "User does not exist.")
}

func TestManagedLoginRoutesByClientID(t *testing.T) {
	a, b, bClient := twoPools(t)
	q := url.Values{
		"response_type": {"code"}, "client_id": {bClient}, "redirect_uri": {"http://localhost:3000/cb"},
		"scope": {"openid email"}, "state": {"s1"},
	}
	rec := serve(a, httptest.NewRequest(http.MethodGet, "/login?"+q.Encode(), nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), b.PoolID())
	r := httptest.NewRequest(http.MethodPost, "/login?"+q.Encode(), strings.NewReader(url.Values{"username": {"bob"}, "password": {testPassword}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = serve(a, r)
	require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
	loc, err := url.Parse(rec.Header().Get("Location"))
	require.NoError(t, err)
	// The token endpoint finds the pool by the form's client_id.
	status, tok := postToken(a, url.Values{"grant_type": {"authorization_code"}, "client_id": {bClient},
		"code": {loc.Query().Get("code")}, "redirect_uri": {"http://localhost:3000/cb"}})
	require.Equal(t, http.StatusOK, status, tok)
	require.Equal(t, b.Issuer(), payload(t, tok["id_token"].(string))["iss"])
	// userInfo by the bearer token's issuer.
	ui := userInfo(a, tok["access_token"].(string))
	require.Equal(t, http.StatusOK, ui.Code, ui.Body.String())
	require.Contains(t, ui.Body.String(), "bob@example.com")
}

func TestServicePoolsCreatedAndDeleted(t *testing.T) {
	a := newPool(t, Config{})
	svc := a.Service()
	_, err := svc.CreatePool(Config{PoolID: DefaultPoolID})
	require.Error(t, err, "one pool per ID")
	b, err := svc.CreatePool(Config{PoolID: "local_Other", Key: testKey(t)})
	require.NoError(t, err)
	_, ok := b.AppClient(DefaultClientID)
	require.True(t, ok, "CreatePool makes the default client, as New")
	require.Equal(t, []*Pool{a, b}, svc.Pools())
	require.NoError(t, svc.DeletePool("local_Other"))
	require.Equal(t, errPoolNotFound, svc.DeletePool("local_Other"))
	_, ok = svc.Pool("local_Other")
	require.False(t, ok)
	require.Equal(t, http.StatusNotFound, serve(a, httptest.NewRequest(http.MethodGet, "/local_Other/.well-known/jwks.json", nil)).Code)
}

func TestSigningRegion(t *testing.T) {
	for auth, want := range map[string]string{
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/ap-southeast-2/cognito-idp/aws4_request, SignedHeaders=host, Signature=0": "ap-southeast-2",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-gov-west-1/cognito-idp/aws4_request":                                   "us-gov-west-1",
		"": "us-east-1",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/../cognito-idp/aws4_request": "us-east-1",
		"Bearer abc": "us-east-1",
	} {
		require.Equal(t, want, signingRegion(auth), auth)
	}
}

// TestMFASetupSessionRoutesToItsPool: AssociateSoftwareToken and
// VerifySoftwareToken during MFA_SETUP name only the challenge Session, so
// the service finds the pool by the session: TOTP set-up at sign-in works
// in every pool, not only the oldest.
func TestMFASetupSessionRoutesToItsPool(t *testing.T) {
	a, b, bClient := twoPools(t)
	require.NoError(t, b.SetMFAConfig(MFAConfig{Mode: MFAOn, SoftwareToken: true}))
	status, out := call(t, a, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": bClient,
		"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": testPassword}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "MFA_SETUP", out["ChallengeName"])
	status, out = call(t, a, "AssociateSoftwareToken", map[string]any{"Session": out["Session"]})
	require.Equal(t, http.StatusOK, status, out)
	secret := out["SecretCode"].(string)
	code, err := totp.GenerateCode(secret, time.Now())
	require.NoError(t, err)
	status, out = call(t, a, "VerifySoftwareToken", map[string]any{"Session": out["Session"], "UserCode": code})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "SUCCESS", out["Status"])
	status, out = call(t, a, "RespondToAuthChallenge", map[string]any{"ClientId": bClient, "ChallengeName": "MFA_SETUP",
		"Session": out["Session"], "ChallengeResponses": map[string]string{"USERNAME": "bob"}})
	require.Equal(t, http.StatusOK, status, out)
	access := out["AuthenticationResult"].(map[string]any)["AccessToken"].(string)
	require.Equal(t, b.Issuer(), payload(t, access)["iss"])

	// A session no pool holds is refused.
	status, _ = call(t, a, "AssociateSoftwareToken", map[string]any{"Session": strings.Repeat("x", 40)})
	require.NotEqual(t, http.StatusOK, status)
}
