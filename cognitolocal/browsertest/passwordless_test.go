package browsertest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// Passwordless sign-in in Managed Login. The developer guide ("Configure
// authentication methods for managed login") has Managed Login prompt
// users "to select a sign-in method from the available options" when the
// app client allows ALLOW_USER_AUTH; it shows no page, so the buttons'
// names and wording are this pool's own.
func TestManagedLoginEmailCodeSignIn(t *testing.T) {
	path := requireBrowser(t)
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{PoolID: "us-east-1_Browser2"})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, pool.Close()) })

	a := &app{endpoint: pool.URL()}
	mux := http.NewServeMux()
	mux.HandleFunc("/callback", a.callback)
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)

	// A pool whose sign-in policy allows a code by email, and a client
	// that allows choice-based sign-in.
	ep := pool.URL()
	id := api(t, ep, "CreateUserPool", map[string]any{"PoolName": "acme-codes",
		"Policies": map[string]any{"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": []string{"PASSWORD", "EMAIL_OTP"}}},
	})["UserPool"].(map[string]any)["Id"].(string)
	codes, ok := pool.Service().Pool(id)
	require.True(t, ok)
	client := api(t, ep, "CreateUserPoolClient", map[string]any{"UserPoolId": id, "ClientName": "Acme Codes",
		"ExplicitAuthFlows": []string{"ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		"AllowedOAuthFlows": []string{"code"}, "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthScopes": []string{"openid", "email"},
		"CallbackURLs": []string{a.srv.URL + "/callback"}, "SupportedIdentityProviders": []string{"COGNITO"}})["UserPoolClient"].(map[string]any)
	a.clientID = client["ClientId"].(string)
	a.verifier, err = codes.Verifier(a.clientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	api(t, ep, "AdminCreateUser", map[string]any{"UserPoolId": id, "Username": "nadia", "MessageAction": "SUPPRESS",
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "nadia@example.com"}}})
	api(t, ep, "AdminSetUserPassword", map[string]any{"UserPoolId": id, "Username": "nadia", "Password": "Nadia-Pass-5x", "Permanent": true})
	authorize := ep + "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {a.clientID},
		"redirect_uri": {a.srv.URL + "/callback"}, "scope": {"openid email"}, "state": {"otp"}}.Encode()

	ctx := newBrowser(t, path)
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, "reading %s", sel)
		return strings.TrimSpace(v)
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, actions...), what)
	}

	// The code button needs no password: the browser submits the form
	// without one.
	do("asking for a code",
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(chromedp.CSS(`button[name=factor][value="EMAIL_OTP"]`)),
		chromedp.SendKeys(chromedp.CSS("input#username"), "nadia"),
		chromedp.Click(chromedp.CSS(`button[name=factor][value="EMAIL_OTP"]`)),
		chromedp.WaitVisible(chromedp.CSS("input#code")))
	main := text("main")
	assert.Contains(t, main, "n***@e***", "the masked address the code went to")
	assert.NotContains(t, main, "nadia@example.com")
	code, ok := codes.LastCode("nadia", cognitolocal.MessageAuthentication)
	require.True(t, ok, "a sign-in code in the outbox")
	assert.NotContains(t, main, code)

	wrong := "00000000"
	if code == wrong {
		wrong = "11111111"
	}
	do("typing a wrong code",
		chromedp.SendKeys(chromedp.CSS("input#code"), wrong),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("#errorMessage")))
	assert.Equal(t, "Invalid code received for user", text("#errorMessage"))
	do("typing the code",
		chromedp.SendKeys(chromedp.CSS("input#code"), code),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("#welcome")))
	v, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(v, a.srv.URL+"/callback?"), v)
	assert.Equal(t, "nadia", text("#username"))
	assert.Equal(t, "otp", text("#state"))
}
