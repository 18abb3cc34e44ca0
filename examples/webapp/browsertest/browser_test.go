// Package browsertest drives examples/webapp in a real headless Chromium:
// the cookies, redirects and forms of sign-in and sign-out as a browser
// handles them, which a Go HTTP client only imitates.
package browsertest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt/examples/webapp/app"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var updateScreenshot = flag.Bool("update-screenshot", false, "write the /account screenshot into docs/")

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

func startApp(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	base, stop, err := app.Start([]string{"-addr", "127.0.0.1:0"}, &out)
	require.NoError(t, err, out.String())
	t.Cleanup(func() { require.NoError(t, stop()) })
	return base
}

func TestBrowserSignInGuardsAndSignOut(t *testing.T) {
	path := browserPath()
	if path == "" {
		t.Skip("SKIPPING THE REAL-BROWSER TEST: no Chromium or Chrome found (install the Debian package chromium, or set $CHROME)")
	}
	base := startApp(t)

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
		chromedp.WindowSize(900, 600),
	)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(alloc)
	defer cancelCtx()
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTimeout()

	// text and location read one value off the page; a failure stops the
	// test, since later steps depend on where the browser is.
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
	signIn := func(user, password string) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/account"),
			// The app sends the browser to the pool's sign-in form.
			chromedp.WaitVisible(chromedp.CSS("input#password")),
			chromedp.SendKeys(chromedp.CSS("input#username"), user),
			chromedp.SendKeys(chromedp.CSS("input#password"), password),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("dd#username")),
		), "signing in as %s", user)
		assert.Equal(t, base+"/account", location())
		assert.Equal(t, user, text("dd#username"))
	}
	signOut := func() {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS("button#signout")),
			chromedp.WaitVisible(chromedp.CSS("a#signin")),
		), "signing out")
		assert.Equal(t, base+"/", location(), "back on the app through the pool's /logout")
	}

	// bob: signed in, no admin group, refused /admin.
	signIn("bob", "Passw0rd!bob")
	assert.Equal(t, "none", text("dd#groups"))
	jsCookies, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.cookie"))
	require.NoError(t, err)
	assert.Empty(t, jsCookies, "the session cookies are HttpOnly: page scripts cannot read them")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("h1#status"))))
	assert.Equal(t, "403 Forbidden", text("h1#status"), "bob is refused /admin")
	signOut()

	// alice: in the admin group.
	var shot []byte
	signIn("alice", "Passw0rd!alice")
	assert.Equal(t, "admin", text("dd#groups"))
	assert.Equal(t, "acme", text("dd#tenant"))
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin"),
		chromedp.WaitVisible(chromedp.CSS("h1#admin"))))
	assert.Equal(t, base+"/admin", location(), "alice reaches /admin")
	signOut()

	// Signed out: /account leads to the sign-in form again.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.CSS("input#password"))))
	at := location()
	assert.Contains(t, at, "/login?", "redirected to sign-in")
	assert.False(t, strings.HasPrefix(at, base), "on the pool's sign-in page, not the app's")

	if *updateScreenshot {
		require.NoError(t, os.WriteFile(filepath.Join("..", "..", "..", "docs", "web-account.png"), shot, 0o644))
	}
}
