package cognitolocal

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// The Managed Login pages a browser sees, apart from the OAuth endpoints:
// sign-in and its steps (new password, MFA code, MFA choice, TOTP
// set-up), sign-up and its confirmation, and password reset. Every page
// carries the query of /oauth2/authorize, so the OAuth flow resumes where
// it started; the form fields have fixed names (username, password, code,
// and each required attribute by its name) so that tests can drive them.

// templates holds the pages, HTML files kept apart so that they read as
// pages: layout.html is the frame, each page fills its content.
//
//go:embed templates/*.html
var templates embed.FS

var pageFuncs = template.FuncMap{"lower": strings.ToLower}

// pages are the parsed pages by file name.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "signup", "confirm", "forgot", "reset", "newpassword", "mfa", "selectmfa", "totpsetup", "emailsetup"} {
		out[name] = template.Must(template.New(name).Funcs(pageFuncs).ParseFS(templates, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}()

// pageData is what a page shows.
type pageData struct {
	Title, Heading                        string
	Pool, Client                          string
	Error, Notice                         string
	Action                                string
	Username, UsernameLabel, PasswordHint string
	LoginURL, SignUpURL, ForgotURL        string
	ResendURL, Destination                string
	Fields                                []formField
	Session, Challenge, Prompt            string
	Choices                               []formChoice
	Secret                                string
	QR                                    template.URL
	// CSS and LogoURL are the classic hosted UI's branding of the client
	// (api_uicustom.go), CSS checked and escaped (pageCSS); Nonce lets
	// the page's stylesheets, and no other, past its policy.
	CSS            template.CSS
	LogoURL, Nonce string
}

// formField is an attribute the sign-up form asks for.
type formField struct{ Name, Label, Type, Autocomplete, Value string }

// formChoice is a button of the MFA choice.
type formChoice struct{ Value, Label string }

// pageKeys are the query parameters pages add to the authorization
// request's; links and form actions leave them out.
var pageKeys = []string{"username", "user_name", "confirmation_code"}

// authParams returns the authorization request's parameters of q.
func authParams(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if !containsString(pageKeys, k) {
			out[k] = v
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// pageURL is path with the authorization request's parameters.
func pageURL(path string, q url.Values) string { return path + "?" + q.Encode() }

// basePage fills what every page of req shows: the pool and client, the
// links between pages, and how to name the username.
func (p *Pool) basePage(req authRequest, q url.Values, path, heading string) pageData {
	d := pageData{
		Title: heading, Heading: heading, Pool: p.poolID, Client: req.client.ClientName,
		Action: pageURL(path, q), LoginURL: pageURL("/login", q), ForgotURL: pageURL("/forgotPassword", q),
		UsernameLabel: "Username", PasswordHint: p.passwordHint(),
	}
	if p.AllowsSignUp() {
		d.SignUpURL = pageURL("/signup", q)
	}
	if key, c := p.uiCustomizationFor(req.client.ClientID); c != nil {
		d.CSS = template.CSS(pageCSS(c.CSS))
		if len(c.Image) > 0 {
			d.LogoURL = logoPath(p.poolID, key, c)
		}
	}
	if s := p.conf(); containsString(s.UsernameAttributes, "email") {
		d.UsernameLabel = "Email address"
	} else if containsString(s.UsernameAttributes, "phone_number") {
		d.UsernameLabel = "Phone number"
	}
	return d
}

// passwordHint describes the pool's password policy.
func (p *Pool) passwordHint() string {
	pp := p.conf().PasswordPolicy
	var needs []string
	for _, n := range []struct {
		on   bool
		what string
	}{{pp.RequireUppercase, "an uppercase letter"}, {pp.RequireLowercase, "a lowercase letter"}, {pp.RequireNumbers, "a number"}, {pp.RequireSymbols, "a symbol"}} {
		if n.on {
			needs = append(needs, n.what)
		}
	}
	hint := "At least " + itoa(pp.MinimumLength) + " characters"
	if len(needs) > 0 {
		hint += ", with " + strings.Join(needs, ", ")
	}
	return hint + "."
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// render answers a page, with the headers every page has: no caching, no
// framing, and a policy that allows no script and no outside resource:
// the page's own <style> elements by their nonce, images as data: URIs
// (the QR code of TOTP set-up) and, for a client with a logo, from the
// page's origin, where the logo is served.
func (p *Pool) render(w http.ResponseWriter, name string, d pageData) {
	d.Nonce = randomToken(16)
	img := "img-src data:"
	if d.LogoURL != "" {
		img += " 'self'"
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+d.Nonce+"'; "+img+"; frame-ancestors 'none'")
	// same-origin, not no-referrer: under no-referrer browsers send
	// "Origin: null" with the form's POST, which the origin check refuses.
	h.Set("Referrer-Policy", "same-origin")
	_ = pages[name].ExecuteTemplate(w, "layout", d)
}

// pageRequest validates the authorization request a page carries. On
// failure it has answered: an error page, or the error sent to the
// registered redirect URI.
func (p *Pool) pageRequest(w http.ResponseWriter, r *http.Request) (authRequest, url.Values, bool) {
	q := authParams(r.URL.Query())
	req, page, oerr := p.parseAuthRequest(q)
	switch {
	case page != "":
		http.Error(w, page, http.StatusBadRequest)
		return req, q, false
	case oerr != nil:
		redirectError(w, r, req, oerr)
		return req, q, false
	}
	return req, q, true
}

// readForm reads a page's POST. A browser's cross-site POST carries a
// foreign Origin: it is refused, so no other site can act for a visitor.
func readForm(w http.ResponseWriter, r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
		http.Error(w, "cross-origin form refused", http.StatusForbidden)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "invalid_request: unreadable form", http.StatusBadRequest)
		return false
	}
	return true
}

// errorText is the message a page shows for err: Cognito's.
func errorText(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong."
}

// login shows the sign-in form (GET) or checks it (POST). On success the
// browser goes on to the sign-in's next step (a new password, MFA) or to
// the redirect URI with a code and the state; a failure shows the form
// again with Cognito's message, the same for an unknown user and a wrong
// password.
func (p *Pool) login(w http.ResponseWriter, r *http.Request) {
	req, q, ok := p.pageRequest(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		d := p.basePage(req, q, "/login", "Sign in")
		d.Username = r.URL.Query().Get("username")
		d.Choices = p.codeChoices(req.client)
		p.render(w, "login", d)
		return
	}
	if !readForm(w, r) {
		return
	}
	username := r.PostForm.Get("username")
	if r.PostForm.Has("factor") {
		p.loginWithCode(w, r, req, q, username, r.PostForm.Get("factor"))
		return
	}
	// A name no user has may be one the user migration trigger knows
	// (usermigration.go); a form without a name names no one.
	if username != "" {
		if _, err := p.migrateUser(r.Context(), migration{c: req.client, source: sourceMigrateAuth, username: username, password: r.PostForm.Get("password")}); err != nil {
			p.showLogin(w, req, q, username, errorText(err), "")
			return
		}
	}
	if err := p.preAuthentication(r.Context(), req.client, username, nil); err != nil {
		p.showLogin(w, req, q, username, errorText(err), "")
		return
	}
	st := signInStep{typed: username, source: sourceHostedAuth, hosted: true}
	res, err := p.passwordFactor(req.client, username, r.PostForm.Get("password"), st)
	switch {
	case err == errNotConfirmed:
		// As Managed Login does: on to the confirmation page.
		d := p.basePage(req, q, "/confirm", "Confirm your account")
		d.Username, d.ResendURL, d.Error = username, resendURL(q, username), errorText(err)
		p.render(w, "confirm", d)
		return
	case err == errPasswordReset && p.awaitsFirstPassword(username):
		// An imported user was sent no code: on to the forgot-password
		// page, which sends one ("Importing users into a user pool").
		d := p.basePage(req, q, "/forgotPassword", "Forgot your password?")
		d.Username, d.Error = username, errorText(err)
		p.render(w, "forgot", d)
		return
	case err == errPasswordReset:
		// An administrator reset the password: the code sent then resets it.
		d := p.basePage(req, q, "/confirmForgotPassword", "Reset your password")
		d.Username, d.Error = username, errorText(err)
		p.render(w, "reset", d)
		return
	case err != nil:
		p.showLogin(w, req, q, username, errorText(err), "")
		return
	}
	p.showStep(w, r, req, q, res)
}

// awaitsFirstPassword reports whether username is an imported user who
// has had no password here yet, and so was sent no reset code.
func (p *Pool) awaitsFirstPassword(username string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.userNamed(username)
	return u != nil && u.awaitsFirstPassword()
}

// showLogin shows the sign-in form with an error or a notice.
func (p *Pool) showLogin(w http.ResponseWriter, req authRequest, q url.Values, username, errText, notice string) {
	d := p.basePage(req, q, "/login", "Sign in")
	d.Username, d.Error, d.Notice = username, errText, notice
	d.Choices = p.codeChoices(req.client)
	p.render(w, "login", d)
}

// finishSignIn ends a Managed Login sign-in: the post authentication
// trigger, then a single-use code for the client, sent to the redirect
// URI with the state. The trigger's refusal shows the sign-in form.
func (p *Pool) finishSignIn(w http.ResponseWriter, r *http.Request, req authRequest, q url.Values, snap snapshot) {
	if err := p.postAuthentication(r.Context(), req.client, snap, false, nil); err != nil {
		p.showLogin(w, req, q, snap.username, errorText(err), "")
		return
	}
	code := randomToken(32)
	p.mu.Lock()
	p.codes[digest(code)] = &authCode{
		ClientID: req.client.ClientID, RedirectURI: req.redirectURI, Username: snap.username,
		Scopes: req.scopes, Nonce: req.nonce, Challenge: req.challenge, Expires: p.now().Add(codeLifetime),
		SignOuts: snap.signOuts, Sub: snap.attrs["sub"],
	}
	p.mu.Unlock()
	v := url.Values{"code": {code}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, v), http.StatusFound)
}
