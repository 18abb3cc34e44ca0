package cognitolocal

import (
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
)

// The Managed Login pages a browser sees, apart from the OAuth endpoints.

// templates holds the pages, HTML files kept apart so that they read as
// pages.
//
//go:embed templates/*.html
var templates embed.FS

var loginPage = template.Must(template.ParseFS(templates, "templates/login.html"))

// login shows the sign-in form (GET) or checks it (POST). On success the
// browser goes to the redirect URI with a code and the state; a failure
// shows the form again with Cognito's message, the same for an unknown
// user and a wrong password.
func (p *Pool) login(w http.ResponseWriter, r *http.Request) {
	req, page, oerr := p.parseAuthRequest(r.URL.Query())
	switch {
	case page != "":
		http.Error(w, page, http.StatusBadRequest)
		return
	case oerr != nil:
		redirectError(w, r, req, oerr)
		return
	}
	if r.Method == http.MethodGet {
		p.showLogin(w, r, req, "", "")
		return
	}
	// A browser's cross-site POST carries a foreign Origin: refuse it, so
	// no other site can sign a visitor in to an account of its choosing.
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
		http.Error(w, "cross-origin sign-in refused", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "invalid_request: unreadable form", http.StatusBadRequest)
		return
	}
	username := r.PostForm.Get("username")
	snap, err := p.checkCredentialsFor(req.client, username, r.PostForm.Get("password"))
	if err != nil {
		var e *Error
		msg := "Something went wrong."
		if errors.As(err, &e) {
			msg = e.Message
		}
		p.showLogin(w, r, req, username, msg)
		return
	}
	code := randomToken(32)
	p.mu.Lock()
	p.codes[digest(code)] = &authCode{
		ClientID: req.client.ClientID, RedirectURI: req.redirectURI, Username: snap.username,
		Scopes: req.scopes, Nonce: req.nonce, Challenge: req.challenge, Expires: p.now().Add(codeLifetime),
		SignOuts: snap.signOuts,
	}
	p.mu.Unlock()
	v := url.Values{"code": {code}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, v), http.StatusFound)
}

func (p *Pool) showLogin(w http.ResponseWriter, r *http.Request, req authRequest, username, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	// same-origin, not no-referrer: under no-referrer browsers send
	// "Origin: null" with the form's POST, which the origin check refuses.
	h.Set("Referrer-Policy", "same-origin")
	_ = loginPage.Execute(w, map[string]string{
		"Pool": p.poolID, "Client": req.client.ClientName, "Error": msg, "Username": username,
		"Action": "/login?" + r.URL.RawQuery,
	})
}
