package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The trigger served over HTTP, as the dev-issuer calls it, puts the same
// claims in the access token as the in-process handler.
func TestHTTPTriggerAsTheDevIssuerCallsIt(t *testing.T) {
	trig := httptest.NewServer(httpTrigger())
	defer trig.Close()
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{PreTokenGeneration: cognitolocal.HTTPTrigger(trig.URL + "/")})
	require.NoError(t, err)
	defer func() { require.NoError(t, pool.Close()) }()
	require.NoError(t, pool.AddCustomAttribute("department", true))
	_, err = pool.CreateUser("ada", "Correct-Horse-9", map[string]string{"birthdate": "1990-12-10", "custom:department": "engineering"})
	require.NoError(t, err)

	tokens, err := pool.SignIn(context.Background(), cognitolocal.DefaultClientID, "ada", "Correct-Horse-9")
	require.NoError(t, err)
	v, err := pool.Verifier(cognitolocal.DefaultClientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	c, err := v.Verify(context.Background(), tokens.AccessToken)
	require.NoError(t, err)
	birthdate, _ := c.Get("birthdate")
	department, _ := c.Get("department")
	assert.Equal(t, "1990-12-10", birthdate)
	assert.Equal(t, "engineering", department)
}

func TestHTTPTriggerRefusesWhatIsNotAnEvent(t *testing.T) {
	trig := httptest.NewServer(httpTrigger())
	defer trig.Close()
	client := trig.Client()
	resp, err := client.Post(trig.URL+"/", "application/json", strings.NewReader(`[1,2]`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, err = client.Get(trig.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}
