// Package app is the example web app of cognitojwt/web: server-rendered
// pages behind Cognito's Managed Login, runnable offline against an
// in-process local user pool. The command in the parent directory runs
// it; the browser test drives it.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/web"
)

// ClientName is the app client the local pool registers for the app.
const ClientName = "webapp"

// Users are the local pool's users, for trying the app: alice is in the
// admin group, bob in none.
var Users = []struct {
	Name, Password, Email, Group, Tenant string
}{
	{"alice", "Passw0rd!alice", "alice@example.com", "admin", "acme"},
	{"bob", "Passw0rd!bob", "bob@example.com", "", "globex"},
}

// Handler returns the app's routes, signed in and out through auth.
func Handler(auth *web.Auth) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", auth.Optional(http.HandlerFunc(home)))
	mux.Handle("GET /login", auth.Login())
	mux.Handle("GET /callback", auth.Callback())
	mux.Handle("/logout", auth.Logout())
	mux.Handle("GET /account", auth.Require(http.HandlerFunc(account)))
	mux.Handle("GET /admin", auth.Require(authz.RequireAnyGroup("admin")(http.HandlerFunc(admin))))
	return mux
}

// ErrorPage renders the app's error pages (web.Config.ErrorPage): the
// 403 of /admin among them.
func ErrorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	render(w, "error", page{Title: http.StatusText(status), Claims: c, Status: status, Message: message})
}

// SignOutPage asks to confirm a sign-out (web.Config.SignOutPage), for a
// GET of /logout: a link or a typed URL. Its form posts back to /logout.
func SignOutPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	render(w, "signout", page{Title: "Sign out"})
}

type page struct {
	Title   string
	Claims  *cognitojwt.Claims
	Tenant  string
	Status  int
	Message string
}

func home(w http.ResponseWriter, r *http.Request) {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	render(w, "home", page{Title: "Home", Claims: c})
}

func account(w http.ResponseWriter, r *http.Request) {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	tenant, _ := c.Attribute("custom:tenant_id")
	render(w, "account", page{Title: "Account", Claims: c, Tenant: tenant})
}

func admin(w http.ResponseWriter, r *http.Request) {
	c, _ := cognitojwt.ClaimsFromContext(r.Context())
	render(w, "admin", page{Title: "Admin", Claims: c})
}

func render(w http.ResponseWriter, name string, p page) {
	w.Header().Set("Cache-Control", "no-store")
	// A failure here is a broken connection: the status is out already.
	_ = pages.ExecuteTemplate(w, name, p)
}

var pages = template.Must(template.New("").Parse(`
{{define "top"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}} · webapp</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
nav{display:flex;gap:1rem;align-items:center;border-bottom:1px solid #ddd;padding-bottom:.5rem;margin-bottom:1rem}
nav form{margin-left:auto}
dt{font-weight:600}dd{margin:0 0 .5rem 0}
</style></head><body>
<nav><a href="/">Home</a><a href="/account">Account</a><a href="/admin">Admin</a>
{{if .Claims}}<form method="post" action="/logout"><span id="who">{{.Claims.Username}}</span> <button id="signout" type="submit">Sign out</button></form>
{{else}}<a id="signin" href="/login?next=/account">Sign in</a>{{end}}</nav>
<main>{{end}}
{{define "bottom"}}</main></body></html>{{end}}

{{define "home"}}{{template "top" .}}<h1>webapp</h1>
{{if .Claims}}<p>Signed in as <strong>{{.Claims.Username}}</strong>.</p>
{{else}}<p>Not signed in. <a href="/login?next=/account">Sign in</a> to see your account.</p>{{end}}
{{template "bottom" .}}{{end}}

{{define "account"}}{{template "top" .}}<h1>Account</h1>
<dl>
<dt>Username</dt><dd id="username">{{.Claims.Username}}</dd>
<dt>Email</dt><dd id="email">{{.Claims.Email}}</dd>
<dt>Groups</dt><dd id="groups">{{range $i, $g := .Claims.Groups.All}}{{if $i}}, {{end}}{{$g}}{{else}}none{{end}}</dd>
<dt>Tenant (custom:tenant_id)</dt><dd id="tenant">{{.Tenant}}</dd>
</dl>{{template "bottom" .}}{{end}}

{{define "admin"}}{{template "top" .}}<h1 id="admin">Admin</h1>
<p>Only members of the admin group see this page.</p>{{template "bottom" .}}{{end}}

{{define "signout"}}{{template "top" .}}<h1>Sign out</h1>
<p>Signing out ends your session here and at the sign-in page, on this device.</p>
<form method="post"><button id="confirm-signout" type="submit">Sign out</button> <a href="/">Stay signed in</a></form>
{{template "bottom" .}}{{end}}

{{define "error"}}{{template "top" .}}<h1 id="status">{{.Status}} {{.Title}}</h1>
<p id="message">{{.Message}}</p>{{template "bottom" .}}{{end}}
`))

// LocalPool starts a local user pool on a free loopback port with an app
// client for an app served at appURL and the two Users. Close it when done.
func LocalPool(appURL string, logger *slog.Logger) (*cognitolocal.Server, cognitolocal.AppClient, error) {
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{PoolID: "local_WebApp", Logger: logger})
	if err != nil {
		return nil, cognitolocal.AppClient{}, err
	}
	client, err := setUpPool(pool.Pool, appURL)
	if err != nil {
		_ = pool.Close()
		return nil, cognitolocal.AppClient{}, err
	}
	return pool, client, nil
}

func setUpPool(pool *cognitolocal.Pool, appURL string) (cognitolocal.AppClient, error) {
	client, err := pool.CreateAppClient(cognitolocal.AppClient{
		ClientName:         ClientName,
		ExplicitAuthFlows:  []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		AllowedOAuthFlows:  []string{"code"},
		AllowedOAuthScopes: []string{"openid", "email", "profile"},
		CallbackURLs:       []string{appURL + "/callback"},
		LogoutURLs:         []string{appURL + "/"},
	})
	if err != nil {
		return client, err
	}
	if err := pool.CreateGroup("admin"); err != nil {
		return client, err
	}
	for _, u := range Users {
		attrs := map[string]string{"email": u.Email, "email_verified": "true", "custom:tenant_id": u.Tenant}
		if _, err := pool.CreateUser(u.Name, u.Password, attrs); err != nil {
			return client, err
		}
		if u.Group != "" {
			if err := pool.AddUserToGroup(u.Name, u.Group); err != nil {
				return client, err
			}
		}
	}
	return client, nil
}

// Run serves the app until ctx ends, with the flags of the command:
//
//	-addr 127.0.0.1:8080   listen address (port 0 picks one)
//	-url URL               the app's public base URL (default http://ADDR)
//	-issuer, -domain, -client-id, -client-secret   a real user pool
//
// Without -issuer it starts a local user pool. ready, when not nil, is
// called with the app's URL once it serves.
func Run(ctx context.Context, args []string, out io.Writer, ready func(appURL string)) error {
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	publicURL := fs.String("url", "", "the app's public base URL, registered with the app client (default http://ADDR)")
	issuer := fs.String("issuer", "", "issuer of a real user pool: https://cognito-idp.REGION.amazonaws.com/POOL_ID (default: a local pool)")
	domain := fs.String("domain", "", "Managed Login domain of the real pool: https://PREFIX.auth.REGION.amazoncognito.com")
	clientID := fs.String("client-id", "", "app client ID (real pool)")
	clientSecret := fs.String("client-secret", "", "app client secret, for a confidential client (real pool)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	appURL := strings.TrimSuffix(*publicURL, "/")
	if appURL == "" {
		appURL = "http://" + ln.Addr().String()
	}
	cfg := web.Config{
		RedirectURL: appURL + "/callback",
		LogoutURL:   appURL + "/",
		// A fresh key per run: sessions end when the app stops. A real
		// deployment loads its keys from a secret store.
		Keys:        [][]byte{web.NewKey()},
		ErrorPage:   ErrorPage,
		SignOutPage: SignOutPage,
		Logger:      logger,
	}
	if *issuer == "" {
		pool, client, err := LocalPool(appURL, logger)
		if err != nil {
			return err
		}
		defer pool.Close()
		cfg.Domain, cfg.ClientID, cfg.Verify.Issuer = pool.Endpoint(), client.ClientID, pool.Issuer()
		fmt.Fprintf(out, "local user pool at %s; users:\n", pool.URL())
		for _, u := range Users {
			fmt.Fprintf(out, "  %-6s password %s\n", u.Name, u.Password)
		}
	} else {
		if *domain == "" || *clientID == "" {
			return errors.New("-issuer needs -domain and -client-id")
		}
		cfg.Domain, cfg.ClientID, cfg.ClientSecret, cfg.Verify.Issuer = *domain, *clientID, *clientSecret, *issuer
	}
	auth, err := web.New(cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: Handler(auth), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(out, "webapp serving %s\n", appURL)
	if ready != nil {
		ready(appURL)
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return err
	}
	<-done
	return nil
}

// Start runs the app in the background with the command's flags and
// returns its URL once it serves, and a stop function that shuts it down
// and reports how Run ended: for tests, and for programs that embed it.
func Start(args []string, out io.Writer) (appURL string, stop func() error, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- Run(ctx, args, out, func(u string) { urls <- u }) }()
	select {
	case u := <-urls:
		return u, func() error { cancel(); return <-done }, nil
	case err := <-done:
		cancel()
		return "", nil, err
	}
}
