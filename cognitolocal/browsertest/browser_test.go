// Package browsertest drives the local user pool's Managed Login pages in
// a real headless Chromium: sign-up, confirmation with the code from the
// outbox, TOTP set-up, sign-out, and sign-in with a password and a TOTP
// code, ending on an app's callback with a code that exchanges for
// tokens; then, with two factors, the choice between them, and email MFA
// set up by a user without a factor. With -update-screenshots it writes each page into docs/.
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var updateScreenshots = flag.Bool("update-screenshots", false, "write a screenshot of each page into docs/")

// browserPath finds Chromium or Chrome: $CHROME first, then the usual
// names on PATH.
func browserPath() string {
	if p := os.Getenv("CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireBrowser returns browserPath, or skips the test loudly when
// there is no browser.
func requireBrowser(t *testing.T) string {
	t.Helper()
	path := browserPath()
	if path == "" {
		t.Skip("SKIPPING THE REAL-BROWSER TEST: no Chromium or Chrome found (install the Debian package chromium, or set $CHROME)")
	}
	return path
}

// clock is the pool's clock, moved on between sign-ins so that each TOTP
// code is of a new time step (the pool takes each code once).
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// api calls the pool's JSON API.
func api(t *testing.T, endpoint, op string, in any) map[string]any {
	t.Helper()
	b, err := json.Marshal(in)
	require.NoError(t, err)
	r, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(b))
	require.NoError(t, err)
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %v", op, out)
	return out
}

// app is the relying party: its callback exchanges the code at the
// token endpoint and shows whose verified access token it got.
type app struct {
	srv      *httptest.Server
	endpoint string
	clientID string
	verifier *cognitojwt.Verifier
}

func (a *app) callback(w http.ResponseWriter, r *http.Request) {
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {a.clientID}, "code": {r.URL.Query().Get("code")},
		"redirect_uri": {a.srv.URL + "/callback"}}
	resp, err := http.PostForm(a.endpoint+"/oauth2/token", form)
	if err != nil {
		http.Error(w, "token endpoint unreachable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&tok) != nil {
		http.Error(w, "the code did not exchange", http.StatusBadGateway)
		return
	}
	claims, err := a.verifier.Verify(r.Context(), tok.AccessToken)
	if err != nil {
		http.Error(w, "the access token did not verify", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signed in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:30rem}</style></head>
<body><h1 id="welcome">Signed in</h1><p>as <b id="username">%s</b>; state <span id="state">%s</span></p></body></html>`,
		claims.Username, url.QueryEscape(r.URL.Query().Get("state")))
}

// newBrowser starts a headless Chromium at path, for three minutes at
// most, ended when the test is.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(800, 900),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

func TestManagedLoginSignUpTOTPAndSignIn(t *testing.T) {
	path := requireBrowser(t)
	clk := &clock{}
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{PoolID: "us-east-1_Browser1", Now: clk.now})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, pool.Close()) })

	a := &app{endpoint: pool.URL()}
	mux := http.NewServeMux()
	mux.HandleFunc("/callback", a.callback)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>App</title></head><body><h1 id="home">Signed out</h1></body></html>`)
	})
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)

	// A pool as a team configures it, over the JSON API: email required
	// and verified at sign-up, MFA required with TOTP, an app client for
	// the code flow.
	ep := pool.URL()
	id := api(t, ep, "CreateUserPool", map[string]any{"PoolName": "acme-notes", "AutoVerifiedAttributes": []string{"email"},
		"Schema": []map[string]any{{"Name": "email", "AttributeDataType": "String", "Required": true, "Mutable": true}},
	})["UserPool"].(map[string]any)["Id"].(string)
	notes, ok := pool.Service().Pool(id)
	require.True(t, ok)
	api(t, ep, "SetUserPoolMfaConfig", map[string]any{"UserPoolId": id, "MfaConfiguration": "ON",
		"SoftwareTokenMfaConfiguration": map[string]bool{"Enabled": true}})
	client := api(t, ep, "CreateUserPoolClient", map[string]any{"UserPoolId": id, "ClientName": "Acme Notes",
		"AllowedOAuthFlows": []string{"code"}, "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthScopes": []string{"openid", "email"},
		"CallbackURLs": []string{a.srv.URL + "/callback"}, "LogoutURLs": []string{a.srv.URL + "/"},
		"SupportedIdentityProviders": []string{"COGNITO"}})["UserPoolClient"].(map[string]any)
	a.clientID = client["ClientId"].(string)
	a.verifier, err = notes.Verifier(a.clientID, cognitojwt.AccessToken)
	require.NoError(t, err)
	authorize := ep + "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {a.clientID},
		"redirect_uri": {a.srv.URL + "/callback"}, "scope": {"openid email"}, "state": {"xyz"}}.Encode()

	ctx := newBrowser(t, path)

	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, "reading %s", sel)
		return strings.TrimSpace(v)
	}
	location := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		return v
	}
	shots := map[string][]byte{}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		shots[name] = b
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, actions...), what)
	}
	totpCode := func(secret string) string {
		t.Helper()
		code, err := totp.GenerateCode(secret, clk.now())
		require.NoError(t, err)
		return code
	}

	// Sign-in page, then its link to sign-up.
	do("opening sign-in", chromedp.Navigate(authorize), chromedp.WaitVisible(chromedp.CSS("input#password")))
	assert.Contains(t, location(), "/login?")
	shot("login")
	do("opening sign-up", chromedp.Click(chromedp.CSS("a#signUpLink")), chromedp.WaitVisible(chromedp.CSS("input#email")))
	assert.Contains(t, location(), "/signup?")
	assert.Contains(t, location(), "client_id="+a.clientID, "the OAuth request goes along")
	shot("signup")

	// Sign up; a weak password first, refused with Cognito's message.
	do("signing up weakly",
		chromedp.SendKeys(chromedp.CSS("input#username"), "maria"),
		chromedp.SendKeys(chromedp.CSS("input#email"), "maria@example.com"),
		chromedp.SendKeys(chromedp.CSS("input#password"), "short"),
		chromedp.Click(chromedp.CSS("button[name=signUpButton]")),
		chromedp.WaitVisible(chromedp.CSS("#errorMessage")))
	assert.Contains(t, text("#errorMessage"), "Password did not conform with policy")
	do("signing up",
		chromedp.SendKeys(chromedp.CSS("input#password"), "Correct-Horse-9"),
		chromedp.Click(chromedp.CSS("button[name=signUpButton]")),
		chromedp.WaitVisible(chromedp.CSS("input#code")))
	shot("confirm")

	// Confirm with the code from the outbox.
	code, ok := notes.LastCode("maria", cognitolocal.MessageSignUp)
	require.True(t, ok, "a sign-up code in the outbox")
	do("confirming",
		chromedp.SendKeys(chromedp.CSS("input#code"), code),
		chromedp.Click(chromedp.CSS("button[name=confirm]")),
		chromedp.WaitVisible(chromedp.CSS("#noticeMessage")))
	assert.Contains(t, text("#noticeMessage"), "Your account is confirmed.")

	// First sign-in: MFA is required and maria has none, so she sets up
	// TOTP from the secret the page shows.
	do("signing in the first time",
		chromedp.SendKeys(chromedp.CSS("input#password"), "Correct-Horse-9"),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("#secretCode")))
	secret := text("#secretCode")
	require.Regexp(t, `^[A-Z2-7]{16,}$`, secret)
	qr, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("document.querySelector('img.qr').naturalWidth > 0"))
	require.NoError(t, err)
	assert.True(t, qr, "the QR code renders under the page's content security policy")
	shot("totp-setup")
	do("setting up TOTP",
		chromedp.SendKeys(chromedp.CSS("input#code"), totpCode(secret)),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("#welcome")))
	assert.True(t, strings.HasPrefix(location(), a.srv.URL+"/callback?"), location())
	assert.Equal(t, "maria", text("#username"))
	assert.Equal(t, "xyz", text("#state"))

	// Sign out through the pool, back to the app.
	do("signing out",
		chromedp.Navigate(ep+"/logout?"+url.Values{"client_id": {a.clientID}, "logout_uri": {a.srv.URL + "/"}}.Encode()),
		chromedp.WaitVisible(chromedp.CSS("#home")))

	// Sign in again: password, then a TOTP code of a later step; a wrong
	// code first.
	clk.advance(time.Minute)
	do("signing in again",
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(chromedp.CSS("input#password")),
		chromedp.SendKeys(chromedp.CSS("input#username"), "maria"),
		chromedp.SendKeys(chromedp.CSS("input#password"), "Correct-Horse-9"),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("input#code")))
	assert.Contains(t, location(), "/login?")
	shot("mfa")
	wrong := "000000"
	if totpCode(secret) == wrong {
		wrong = "111111"
	}
	do("typing a wrong code",
		chromedp.SendKeys(chromedp.CSS("input#code"), wrong),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("#errorMessage")))
	assert.Equal(t, "Invalid code received for user", text("#errorMessage"))
	do("typing the code",
		chromedp.SendKeys(chromedp.CSS("input#code"), totpCode(secret)),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("#welcome")))
	assert.Equal(t, "maria", text("#username"))

	// Forgot password: the code from the outbox resets it.
	do("opening forgot password",
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(chromedp.CSS("a#forgotPasswordLink")),
		chromedp.Click(chromedp.CSS("a#forgotPasswordLink")),
		chromedp.WaitVisible(chromedp.CSS("button[name=reset_my_password]")),
		chromedp.SendKeys(chromedp.CSS("input#username"), "maria"))
	shot("forgot-password")
	do("asking for a code",
		chromedp.Click(chromedp.CSS("button[name=reset_my_password]")),
		chromedp.WaitVisible(chromedp.CSS("button[name=reset_password]")))
	shot("reset-password")
	reset, ok := notes.LastCode("maria", cognitolocal.MessageForgotPassword)
	require.True(t, ok, "a reset code in the outbox")
	do("resetting",
		chromedp.SendKeys(chromedp.CSS("input#code"), reset),
		chromedp.SendKeys(chromedp.CSS("input#password"), "Battery-Staple-7"),
		chromedp.Click(chromedp.CSS("button[name=reset_password]")),
		chromedp.WaitVisible(chromedp.CSS("#noticeMessage")))
	assert.Contains(t, text("#noticeMessage"), "Your password is changed.")

	// A user an administrator invited signs in with the temporary
	// password and must choose a new one (NEW_PASSWORD_REQUIRED); MFA is
	// required, so TOTP set-up follows.
	api(t, ep, "AdminCreateUser", map[string]any{"UserPoolId": id, "Username": "omar", "TemporaryPassword": "Temp-Pass-42x",
		"MessageAction": "SUPPRESS", "UserAttributes": []map[string]string{{"Name": "email", "Value": "omar@example.com"}}})
	do("signing in with a temporary password",
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(chromedp.CSS("input#password")),
		chromedp.SendKeys(chromedp.CSS("input#username"), "omar"),
		chromedp.SendKeys(chromedp.CSS("input#password"), "Temp-Pass-42x"),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("button[name=change_password]")))
	shot("new-password")
	do("choosing a new password",
		chromedp.SendKeys(chromedp.CSS("input#password"), "Omar-New-Pass-8"),
		chromedp.Click(chromedp.CSS("button[name=change_password]")),
		chromedp.WaitVisible(chromedp.CSS("#secretCode")))

	// The pool adds email as a second factor and maria turns it on
	// beside TOTP, preferring neither: Managed Login asks her to choose
	// (SELECT_MFA_TYPE on /selectMfa); she chooses email and types the
	// code from the outbox.
	api(t, ep, "SetUserPoolMfaConfig", map[string]any{"UserPoolId": id, "MfaConfiguration": "ON",
		"SoftwareTokenMfaConfiguration": map[string]bool{"Enabled": true}, "EmailMfaConfiguration": map[string]string{}})
	api(t, ep, "AdminSetUserMFAPreference", map[string]any{"UserPoolId": id, "Username": "maria",
		"SoftwareTokenMfaSettings": map[string]bool{"Enabled": true, "PreferredMfa": false},
		"EmailMfaSettings":         map[string]bool{"Enabled": true, "PreferredMfa": false}})
	do("signing in with two factors",
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(chromedp.CSS("input#password")),
		chromedp.SendKeys(chromedp.CSS("input#username"), "maria"),
		chromedp.SendKeys(chromedp.CSS("input#password"), "Battery-Staple-7"),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS(`button[name=mfa][value="EMAIL_OTP"]`)))
	assert.Equal(t, "Authenticator app", text(`button[name=mfa][value="SOFTWARE_TOKEN_MFA"]`))
	assert.Equal(t, "Email", text(`button[name=mfa][value="EMAIL_OTP"]`))
	shot("select-mfa")
	do("choosing email",
		chromedp.Click(chromedp.CSS(`button[name=mfa][value="EMAIL_OTP"]`)),
		chromedp.WaitVisible(chromedp.CSS("input#code")))
	assert.Contains(t, text("main"), "m***@e***", "the page names the masked address the code went to")
	emailed, ok := notes.LastCode("maria", cognitolocal.MessageAuthentication)
	require.True(t, ok, "an MFA code in the outbox")
	do("typing the emailed code",
		chromedp.SendKeys(chromedp.CSS("input#code"), emailed),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("#welcome")))
	assert.True(t, strings.HasPrefix(location(), a.srv.URL+"/callback?"), location())
	assert.Equal(t, "maria", text("#username"))

	// A user an administrator created without an email address has no
	// factor: Managed Login asks her to choose one to set up; she chooses
	// email, gives an address, and types the code sent there.
	api(t, ep, "AdminCreateUser", map[string]any{"UserPoolId": id, "Username": "lena", "MessageAction": "SUPPRESS"})
	api(t, ep, "AdminSetUserPassword", map[string]any{"UserPoolId": id, "Username": "lena", "Password": "Lena-Pass-4x", "Permanent": true})
	do("signing in without a factor",
		chromedp.Navigate(authorize),
		chromedp.WaitVisible(chromedp.CSS("input#password")),
		chromedp.SendKeys(chromedp.CSS("input#username"), "lena"),
		chromedp.SendKeys(chromedp.CSS("input#password"), "Lena-Pass-4x"),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS(`button[name=mfa][value="EMAIL_OTP"]`)))
	assert.Contains(t, text("h1"), "Set up a sign-in method")
	shot("mfa-setup")
	do("choosing email set-up",
		chromedp.Click(chromedp.CSS(`button[name=mfa][value="EMAIL_OTP"]`)),
		chromedp.WaitVisible(chromedp.CSS("input#email")))
	shot("email-setup")
	do("giving an address",
		chromedp.SendKeys(chromedp.CSS("input#email"), "lena@example.com"),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("input#code")))
	assert.Contains(t, text("main"), "l***@e***")
	setup, ok := notes.LastCode("lena", cognitolocal.MessageAuthentication)
	require.True(t, ok, "a code sent to the new address")
	do("typing the code",
		chromedp.SendKeys(chromedp.CSS("input#code"), setup),
		chromedp.Click(chromedp.CSS("button[name=signInSubmitButton]")),
		chromedp.WaitVisible(chromedp.CSS("#welcome")))
	assert.Equal(t, "lena", text("#username"))

	if *updateScreenshots {
		for name, b := range shots {
			require.NoError(t, os.WriteFile(filepath.Join("..", "..", "docs", "managed-login-"+name+".png"), b, 0o644))
		}
	}
}
