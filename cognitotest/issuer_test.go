package cognitotest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func fetchJWKS(t *testing.T, iss *cognitotest.Issuer) []map[string]any {
	t.Helper()
	resp, err := http.Get(iss.JWKSURL())
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(body, &doc))
	return doc.Keys
}

func kids(keys []map[string]any) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k["kid"].(string))
	}
	return out
}

func TestJWKSReflectsKeyChanges(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	first := iss.CurrentKey()
	keys := fetchJWKS(t, iss)
	require.Equal(t, []string{first.KeyID}, kids(keys))
	require.Equal(t, "RSA", keys[0]["kty"])
	require.Equal(t, "RS256", keys[0]["alg"])
	require.Equal(t, "sig", keys[0]["use"])
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		require.NotContains(t, keys[0], private)
	}

	second := iss.RotateKey()
	require.NotEqual(t, first.KeyID, second.KeyID)
	require.Same(t, second, iss.CurrentKey())
	require.Equal(t, []string{first.KeyID, second.KeyID}, kids(fetchJWKS(t, iss)))
	require.Equal(t, second.KeyID, segment(t, iss.AccessToken(), 0)["kid"])

	iss.RemoveKey(first.KeyID)
	require.Equal(t, []string{second.KeyID}, kids(fetchJWKS(t, iss)))

	extra, err := cognitotest.NewSigningKey()
	require.NoError(t, err)
	iss.AddKey(extra, false)
	require.Equal(t, []string{second.KeyID, extra.KeyID}, kids(fetchJWKS(t, iss)))
	require.Same(t, second, iss.CurrentKey())
	require.Equal(t, 4, iss.JWKSFetches())

	iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	resp, err := http.Get(iss.JWKSURL())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusTeapot, resp.StatusCode)
	require.Equal(t, 5, iss.JWKSFetches())
	iss.SetJWKSHandler(nil)
	require.Len(t, fetchJWKS(t, iss), 2)
}

func TestIssuerOptions(t *testing.T) {
	key, err := cognitotest.NewSigningKey()
	require.NoError(t, err)
	iss := cognitotest.NewIssuer(t, cognitotest.WithPoolID("eu-west-1_Custom"), cognitotest.WithSigningKey(*key))
	require.Equal(t, "eu-west-1_Custom", iss.PoolID())
	require.True(t, strings.HasPrefix(iss.URL(), "http://127.0.0.1:"))
	require.True(t, strings.HasSuffix(iss.URL(), "/eu-west-1_Custom"))
	require.Equal(t, iss.URL()+"/.well-known/jwks.json", iss.JWKSURL())
	require.Equal(t, key.KeyID, iss.CurrentKey().KeyID)

	resp, err := http.Get(iss.URL() + "/.well-known/openid-configuration")
	require.NoError(t, err)
	defer resp.Body.Close()
	var disc map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&disc))
	require.Equal(t, iss.URL(), disc["issuer"])
	require.Equal(t, iss.JWKSURL(), disc["jwks_uri"])

	cfg := iss.Config("app")
	require.Equal(t, []string{"app"}, cfg.ClientIDs)
	require.Equal(t, iss.URL(), cfg.Issuer)
	require.Equal(t, iss.JWKSURL(), cfg.JWKSURL)
}

// The Issuer is a local pool: its discovery document, JSON API and keys
// are the pool's, and a user signed in there gets tokens the issuer's
// Config verifies.
func TestIssuerServesItsPool(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	pool := iss.Pool()
	require.Equal(t, iss.URL(), pool.Issuer())
	var key *cognitolocal.SigningKey = iss.CurrentKey() // one key type
	require.Same(t, pool.CurrentSigningKey(), key)
	require.Equal(t, pool.JWKS(), iss.JWKS())

	resp, err := http.Get(iss.URL() + "/.well-known/openid-configuration")
	require.NoError(t, err)
	defer resp.Body.Close()
	var disc map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&disc))
	require.Equal(t, pool.Endpoint()+"/oauth2/token", disc["token_endpoint"])

	_, err = pool.CreateUser("dana", "Passw0rd!", nil)
	require.NoError(t, err)
	tok, err := pool.SignIn(context.Background(), cognitotest.DefaultClientID, "dana", "Passw0rd!")
	require.NoError(t, err)
	v, err := cognitojwt.New(iss.Config(cognitotest.DefaultClientID))
	require.NoError(t, err)
	c, err := v.Verify(context.Background(), tok.AccessToken)
	require.NoError(t, err)
	require.Equal(t, "dana", c.Username)

	// The JSON API answers on the issuer's address.
	req, err := http.NewRequest(http.MethodPost, pool.Endpoint()+"/", strings.NewReader(`{"AccessToken":"`+tok.AccessToken+`"}`))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.GetUser")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// The issuer serves its pool as cognitolocal.Start does: a request whose
// Host is not a loopback name (a page whose DNS name was rebound to
// 127.0.0.1) is refused, but for the public JWKS and discovery documents.
func TestIssuerPoolRefusesForeignHosts(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	send := func(method, path, host string) int {
		req, err := http.NewRequest(method, iss.Pool().Endpoint()+path, strings.NewReader(`{"MaxResults":10}`))
		require.NoError(t, err)
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusForbidden, send(http.MethodPost, "/", "rebound.example"))
	require.Equal(t, http.StatusForbidden, send(http.MethodGet, cognitolocal.OutboxPath, "rebound.example"))
	require.Equal(t, http.StatusOK, send(http.MethodPost, "/", "localhost"))
	require.Equal(t, http.StatusOK, send(http.MethodGet, "/"+iss.PoolID()+"/.well-known/jwks.json", "rebound.example"))
	require.Equal(t, http.StatusOK, send(http.MethodGet, "/"+iss.PoolID()+"/.well-known/openid-configuration", "rebound.example"))
}

func TestIssuerWithHandlerTakesEveryOtherPath(t *testing.T) {
	iss := cognitotest.NewIssuer(t, cognitotest.WithHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "extra "+r.URL.Path)
	})))
	get := func(path string) string {
		resp, err := http.Get(iss.Pool().Endpoint() + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	require.Equal(t, "extra /oauth2/token", get("/oauth2/token"))
	require.Equal(t, "extra /", get("/"))
	require.Equal(t, string(iss.JWKS()), get("/"+iss.PoolID()+"/.well-known/jwks.json"))
	require.Contains(t, get("/"+iss.PoolID()+"/.well-known/openid-configuration"), `"jwks_uri"`)
	require.Equal(t, 1, iss.JWKSFetches())
}

func TestIssuerKeyMistakesPanic(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	first := iss.CurrentKey()
	require.PanicsWithValue(t, "cognitotest: AddKey: cognitolocal: a key with this kid is already published", func() {
		iss.AddKey(first, false)
	})
	require.PanicsWithValue(t, "cognitotest: RemoveKey: the key that signs new tokens cannot be withdrawn; rotate first", func() {
		iss.RemoveKey(first.KeyID)
	})
	iss.RemoveKey("never-published") // ignored
	require.Equal(t, []string{first.KeyID}, kids(fetchJWKS(t, iss)))
}

func TestStartRefusesNonLoopbackAddress(t *testing.T) {
	_, err := cognitotest.Start("0.0.0.0:0")
	require.ErrorContains(t, err, "loopback")
	_, err = cognitotest.Start("127.0.0.1:0", cognitotest.WithPoolID("not a pool id"))
	require.ErrorContains(t, err, "PoolID")
}
