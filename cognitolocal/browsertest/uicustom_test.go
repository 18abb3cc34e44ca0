package browsertest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// The classic hosted UI's branding in a real browser: the developer
// guide's "Customizing hosted UI (classic) branding"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/hosted-ui-classic-branding.html)
// has SetUICustomization's CSS restyle the documented classes and its
// logo appear above the sign-in form. The page's Content-Security-Policy
// must let both in: the stylesheet computes, the logo loads.
func TestManagedLoginClassicBranding(t *testing.T) {
	path := requireBrowser(t)
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{PoolID: "us-east-1_Browser3"})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, pool.Close()) })
	app := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(app.Close)

	ep := pool.URL()
	id := "us-east-1_Browser3"
	client := api(t, ep, "CreateUserPoolClient", map[string]any{"UserPoolId": id, "ClientName": "Branded",
		"AllowedOAuthFlows": []string{"code"}, "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthScopes": []string{"openid"},
		"CallbackURLs": []string{app.URL + "/callback"}, "SupportedIdentityProviders": []string{"COGNITO"}})["UserPoolClient"].(map[string]any)
	clientID := client["ClientId"].(string)
	api(t, ep, "CreateUserPoolDomain", map[string]any{"UserPoolId": id, "Domain": "branded"})
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	img.Set(3, 3, color.RGBA{R: 255, A: 255})
	var logo bytes.Buffer
	require.NoError(t, png.Encode(&logo, img))
	api(t, ep, "SetUICustomization", map[string]any{"UserPoolId": id, "ClientId": clientID, "ImageFile": logo.Bytes(),
		"CSS": ".submitButton-customizable { background-color: #ff9900; }\n.label-customizable { color: #008000; }"})

	ctx := newBrowser(t, path)
	authorize := ep + "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {clientID},
		"redirect_uri": {app.URL + "/callback"}, "scope": {"openid"}}.Encode()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(authorize), chromedp.WaitVisible(chromedp.CSS("input#password"))))
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		require.NoError(t, err, js)
		return v
	}
	assert.Equal(t, "rgb(255, 153, 0)", eval(`getComputedStyle(document.querySelector("button[name=signInSubmitButton]")).backgroundColor`))
	assert.Equal(t, "rgb(0, 128, 0)", eval(`getComputedStyle(document.querySelector("label[for=password]")).color`))
	// The page's own stylesheet still applies, admitted by the same nonce.
	assert.Equal(t, "rgb(35, 47, 62)", eval(`getComputedStyle(document.querySelector("header")).backgroundColor`))
	// The logo loaded: an image the policy blocked has no natural width.
	// A blocked image completes with width 0.
	width, err := chromedp.Run(ctx, chromedp.Poll[string](`(i => i.complete && String(i.naturalWidth))(document.querySelector("img.logo-customizable"))`))
	require.NoError(t, err)
	assert.Equal(t, "40", width)
}
