package peers

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/web"
)

// Page is one signed-in browser's request for a page behind a session
// library: the session opened, its ID token verified (a cache hit) and
// the claims put into the request context, where the page reads them.
type Page struct {
	Name, Note string
	// Serve serves the request once and fails unless the page saw the
	// user's claims. It is not safe for concurrent use.
	Serve func() error
	// CookieBytes is the size of the request's Cookie header.
	CookieBytes int
	// Anonymous serves the same request without its cookies and fails
	// unless the page refused it.
	Anonymous func() error
}

// Pages is a local user pool, a user signed in through it and the same
// page behind each session library.
type Pages struct {
	List []Page
	// Verify is the ID-token verifier the other libraries' pages use,
	// for a reference row: one cache hit of it.
	Verify  func() error
	closers []func()
}

// Close stops the pool and the sites.
func (p *Pages) Close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
}

const (
	pageUser     = "alice"
	pagePassword = "Passw0rd!alice"
)

// NewPages signs a user in to the local pool: through cognitojwt/web's
// sign-in, once with the session in cookies and once in a MemoryStore,
// and with USER_PASSWORD_AUTH for the pages that keep the tokens in a
// gorilla/sessions cookie and in scs's memory store.
func NewPages() (_ *Pages, err error) {
	p := &Pages{}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	pool, err := cognitolocal.Start("127.0.0.1:0", cognitolocal.Config{})
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, func() { _ = pool.Close() })
	if _, err := pool.CreateUser(pageUser, pagePassword, map[string]string{"email": "alice@example.com"}); err != nil {
		return nil, err
	}
	if err := pool.CreateGroup("admin"); err != nil {
		return nil, err
	}
	if err := pool.AddUserToGroup(pageUser, "admin"); err != nil {
		return nil, err
	}

	for _, mode := range []struct {
		name  string
		store web.Store
	}{
		{"cognitojwt/web, session in cookies", nil},
		{"cognitojwt/web, session in a MemoryStore", &web.MemoryStore{}},
	} {
		page, err := p.webPage(pool, mode.store)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", mode.name, err)
		}
		page.Name = mode.name
		p.List = append(p.List, page)
	}

	client, err := pool.CreateAppClient(cognitolocal.AppClient{
		ClientName: "api", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		AccessTokenValidity: 12 * time.Hour, IDTokenValidity: 12 * time.Hour,
	})
	if err != nil {
		return nil, err
	}
	toks, err := pool.SignIn(context.Background(), client.ClientID, pageUser, pagePassword)
	if err != nil {
		return nil, err
	}
	ids, err := cognitojwt.New(cognitojwt.Config{Issuer: pool.Issuer(), ClientIDs: []string{client.ClientID}, TokenUse: cognitojwt.IDToken})
	if err != nil {
		return nil, err
	}
	p.Verify = func() error {
		_, err := ids.Verify(context.Background(), toks.IDToken)
		return err
	}
	if err := p.Verify(); err != nil {
		return nil, err
	}
	gorilla, err := gorillaPage(ids, toks)
	if err != nil {
		return nil, err
	}
	scsPage, err := scsPage(ids, toks)
	if err != nil {
		return nil, err
	}
	p.List = append(p.List, gorilla, scsPage)
	for _, page := range p.List {
		if err := page.Serve(); err != nil {
			return nil, fmt.Errorf("%s: %w", page.Name, err)
		}
		if err := page.Anonymous(); err != nil {
			return nil, fmt.Errorf("%s: %w", page.Name, err)
		}
	}
	return p, nil
}

// errNoClaims: the page ran without the user's claims, or did not run.
var errNoClaims = errors.New("the page did not see the signed-in user's claims")

// sink is a ResponseWriter that keeps only the status.
type sink struct {
	h      http.Header
	status int
}

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) Write(p []byte) (int, error) { return len(p), nil }
func (s *sink) WriteHeader(code int)        { s.status = code }

// page is the handler every library protects: it answers 500 unless the
// context holds the user's claims.
var page = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if c, ok := cognitojwt.ClaimsFromContext(r.Context()); !ok || c.Username != pageUser {
		w.WriteHeader(http.StatusInternalServerError)
	}
})

// newPage is the page req asks for through h.
func newPage(name, note string, h http.Handler, req *http.Request, wrap bool) Page {
	anon := req.Clone(context.Background())
	anon.Header.Del("Cookie")
	refused := serveFunc(h, anon, wrap)
	return Page{
		Name: name, Note: note, Serve: serveFunc(h, req, wrap), CookieBytes: len(req.Header.Get("Cookie")),
		Anonymous: func() error {
			if refused() == nil {
				return errors.New("the page served a request without a session")
			}
			return nil
		},
	}
}

// serveFunc serves req through h on a fresh sink, since some libraries
// add headers to every response; wrap makes each request's own copy
// where a library writes into the request.
func serveFunc(h http.Handler, req *http.Request, wrap bool) func() error {
	w := &sink{h: http.Header{}}
	return func() error {
		clear(w.h)
		w.status = 0
		r := req
		if wrap {
			r = req.WithContext(req.Context())
		}
		h.ServeHTTP(w, r)
		if w.status != 0 && w.status != http.StatusOK {
			return fmt.Errorf("%w (status %d)", errNoClaims, w.status)
		}
		return nil
	}
}

var formAction = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)

// webPage signs in through web's Login and Callback and the pool's
// sign-in form, as a browser does, and returns the page request carrying
// the session's cookies.
func (p *Pages) webPage(pool *cognitolocal.Server, store web.Store) (Page, error) {
	mux := http.NewServeMux()
	site := httptest.NewServer(mux)
	p.closers = append(p.closers, site.Close)
	client, err := pool.CreateAppClient(cognitolocal.AppClient{
		ClientName: "web", ExplicitAuthFlows: []string{"ALLOW_REFRESH_TOKEN_AUTH"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"},
		CallbackURLs: []string{site.URL + "/callback"}, LogoutURLs: []string{site.URL + "/"},
		AccessTokenValidity: 12 * time.Hour, IDTokenValidity: 12 * time.Hour,
	})
	if err != nil {
		return Page{}, err
	}
	auth, err := web.New(web.Config{
		Domain: pool.Endpoint(), ClientID: client.ClientID,
		RedirectURL: site.URL + "/callback", LogoutURL: site.URL + "/",
		Scopes: []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"},
		Verify: cognitojwt.Config{Issuer: pool.Issuer()},
		Keys:   [][]byte{web.NewKey()}, Store: store,
	})
	if err != nil {
		return Page{}, err
	}
	protected := auth.Require(page)
	mux.Handle("GET /login", auth.Login())
	mux.Handle("GET /callback", auth.Callback())
	mux.Handle("GET /account", protected)

	jar, err := cookiejar.New(nil)
	if err != nil {
		return Page{}, err
	}
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := browser.Get(site.URL + "/account")
	if err != nil {
		return Page{}, err
	}
	form, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := formAction.FindSubmatch(form)
	if m == nil {
		return Page{}, errors.New("the pool showed no sign-in form")
	}
	action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return Page{}, err
	}
	resp, err = browser.PostForm(action.String(), url.Values{"username": {pageUser}, "password": {pagePassword}})
	if err != nil {
		return Page{}, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/account" {
		return Page{}, fmt.Errorf("sign-in ended at %s with status %d", resp.Request.URL.Path, resp.StatusCode)
	}

	req, err := http.NewRequest(http.MethodGet, site.URL+"/account", nil)
	if err != nil {
		return Page{}, err
	}
	for _, c := range jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	return newPage("", "", protected, req, false), nil
}

// verifyIDToken is the middleware the gorilla/sessions and scs pages put
// in front of the page: the session's ID token verified (a cache hit)
// and its claims put into the context, as web does.
func verifyIDToken(ids *cognitojwt.Verifier, token func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := token(r)
		if tok == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		c, err := ids.Verify(r.Context(), tok)
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(cognitojwt.ContextWithAuthentication(r.Context(), cognitojwt.Authentication{Claims: c, Token: tok})))
	})
}

// gorillaPage keeps the ID and access tokens in a gorilla/sessions
// CookieStore session (HMAC-SHA256 and AES, gob-encoded) and the refresh
// token in a cookie of its own that pages never open, as web does.
func gorillaPage(ids *cognitojwt.Verifier, toks cognitolocal.Tokens) (Page, error) {
	store := sessions.NewCookieStore(securecookie.GenerateRandomKey(32), securecookie.GenerateRandomKey(32))
	for _, c := range store.Codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			// Two tokens do not fit securecookie's 4096-byte default.
			sc.MaxLength(16 << 10)
		}
	}
	setup := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	for name, values := range map[string]map[any]any{
		"session": {"id_token": toks.IDToken, "access_token": toks.AccessToken, "created": time.Now().Unix()},
		"refresh": {"refresh_token": toks.RefreshToken},
	} {
		s, err := store.New(setup, name)
		if err != nil && !s.IsNew {
			return Page{}, err
		}
		s.Values = values
		if err := s.Save(setup, rec); err != nil {
			return Page{}, err
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/account", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	h := verifyIDToken(ids, func(r *http.Request) string {
		s, err := store.Get(r, "session")
		if err != nil || s.IsNew {
			return ""
		}
		tok, _ := s.Values["id_token"].(string)
		return tok
	}, page)
	// gorilla/sessions keeps its registry in the request it is given,
	// replacing *r: every request needs its own.
	return newPage("gorilla/sessions v1.4 CookieStore + cognitojwt Verify",
		"each request a shallow copy of its own, since the store writes its registry into the request", h, req, true), nil
}

// scsPage keeps the tokens in scs's memory store (gob-encoded), the
// cookie holding the session token, behind its LoadAndSave middleware.
func scsPage(ids *cognitojwt.Verifier, toks cognitolocal.Tokens) (Page, error) {
	sm := scs.New()
	sm.Store = memstore.NewWithCleanupInterval(0)
	ctx, err := sm.Load(context.Background(), "")
	if err != nil {
		return Page{}, err
	}
	sm.Put(ctx, "id_token", toks.IDToken)
	sm.Put(ctx, "access_token", toks.AccessToken)
	sm.Put(ctx, "refresh_token", toks.RefreshToken)
	sm.Put(ctx, "created", time.Now().Unix())
	token, _, err := sm.Commit(ctx)
	if err != nil {
		return Page{}, err
	}
	req := httptest.NewRequest(http.MethodGet, "/account", nil)
	req.AddCookie(&http.Cookie{Name: sm.Cookie.Name, Value: token})
	h := sm.LoadAndSave(verifyIDToken(ids, func(r *http.Request) string {
		return sm.GetString(r.Context(), "id_token")
	}, page))
	return newPage("scs v2.8 memstore + cognitojwt Verify", "", h, req, false), nil
}
