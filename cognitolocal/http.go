package cognitolocal

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
)

// ServeHTTP serves the pool's Service: this pool and any created beside
// it, on one address, as Cognito splits it across hosts: each issuer's
// JWKS and discovery documents under /{PoolID}, the JSON API at POST /,
// and Managed Login (/oauth2/*, /login, /logout).
func (p *Pool) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.svc.ServeHTTP(w, r) }

// ServeHTTP serves every pool of the service on one address: each issuer's
// JWKS and discovery documents under /{PoolID}, the JSON API at POST /,
// and Managed Login (/oauth2/*, /login, /logout). An answer that follows a
// change is held until the change is saved (see SetSave).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	save := s.saveHook()
	if (s.onChange == nil && save == nil) || !mayChange(r) {
		s.serve(w, r)
		return
	}
	bw := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
	s.serve(bw, r)
	// 200, or a page's redirect after a sign-in step (302, 303); or a
	// trigger's failure, which may follow a change that stands (a user
	// confirmed before the post confirmation trigger failed); or a
	// required reset, which follows the creation of a migrated user
	// (usermigration.go).
	if code := bw.header.Get("x-amzn-ErrorType"); bw.status < http.StatusBadRequest || isLambdaFailure(code) || code == errPasswordReset.Code {
		if s.onChange != nil {
			s.onChange()
		}
		if save != nil {
			if err := save(); err != nil {
				if s.logger != nil {
					s.logger.LogAttrs(r.Context(), slog.LevelError, "cognitolocal: the change could not be saved", slog.String("error", err.Error()))
				}
				http.Error(w, "the change was made but could not be saved", http.StatusInternalServerError)
				return
			}
		}
	}
	bw.flush(w)
}

// bufferedWriter holds an answer until the change it reports is saved.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }

func (b *bufferedWriter) WriteHeader(code int) { b.status = code }

func (b *bufferedWriter) flush(w http.ResponseWriter) {
	maps.Copy(w.Header(), b.header)
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// readOnlyOps are the JSON API operations that change nothing saved.
var readOnlyOps = []string{
	targetPrefix + "GetUser", targetPrefix + "AdminGetUser", targetPrefix + "ListUsers",
	targetPrefix + "AdminListGroupsForUser", targetPrefix + "DescribeUserPoolClient",
	targetPrefix + "DescribeUserPool", targetPrefix + "ListUserPools",
	targetPrefix + "DescribeResourceServer", targetPrefix + "ListResourceServers",
	targetPrefix + "ListUserPoolClients", targetPrefix + "ListGroups", targetPrefix + "GetGroup",
	targetPrefix + "ListUsersInGroup",
	targetPrefix + "GetUserPoolMfaConfig", targetPrefix + "GetUICustomization",
	targetPrefix + "GetCSVHeader", targetPrefix + "DescribeUserImportJob", targetPrefix + "ListUserImportJobs",
}

// mayChange reports whether r can change the saved state: a JSON API
// operation that is not a read, or a token or revocation request.
func mayChange(r *http.Request) bool {
	switch r.URL.Path {
	case "/confirmUser", "/confirm", "/resendcode":
		// GET too: a confirmation link confirms, a new code is sent.
		return true
	}
	if r.Method != http.MethodPost {
		return false
	}
	switch r.URL.Path {
	case "/":
		return !slices.Contains(readOnlyOps, r.Header.Get("X-Amz-Target"))
	case "/oauth2/token", "/oauth2/revoke", "/login", "/signup", "/forgotPassword", "/confirmForgotPassword",
		"/newPassword", "/mfa", "/mfaSetup", "/selectMfa":
		return true
	}
	return false
}

// wellKnown are the documents each issuer publishes under its path.
var wellKnown = []string{".well-known/jwks.json", ".well-known/openid-configuration"}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	if id, doc, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); ok && slices.Contains(wellKnown, doc) {
		p, ok := s.Pool(id)
		if !ok {
			http.NotFound(w, r)
			return
		}
		p.serveWellKnown(w, r, doc)
		return
	}
	if strings.HasPrefix(r.URL.Path, importUploadPath) {
		s.serveImportUpload(w, r)
		return
	}
	if r.URL.Path == OutboxPath {
		s.serveOutbox(w, r)
		return
	}
	if r.URL.Path == "/" {
		if r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") != "" {
			s.serveAPI(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	if s.serveLogo(w, r) {
		return
	}
	s.serveManagedLogin(w, r)
}

func (p *Pool) serveWellKnown(w http.ResponseWriter, r *http.Request, doc string) {
	if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if doc == wellKnown[0] {
		_, _ = w.Write(p.JWKS())
		return
	}
	_ = json.NewEncoder(w).Encode(p.discovery())
}

// allowMethods answers 405 unless r uses one of methods.
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// discovery is the pool's OpenID Provider metadata, with the Managed
// Login endpoints on BaseURL as Cognito lists its domain's.
func (p *Pool) discovery() map[string]any {
	return map[string]any{
		"issuer":                                p.Issuer(),
		"jwks_uri":                              p.JWKSURL(),
		"authorization_endpoint":                p.baseURL + "/oauth2/authorize",
		"token_endpoint":                        p.baseURL + "/oauth2/token",
		"userinfo_endpoint":                     p.baseURL + "/oauth2/userInfo",
		"revocation_endpoint":                   p.baseURL + "/oauth2/revoke",
		"end_session_endpoint":                  p.baseURL + "/logout",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
	}
}

// localTransport answers the pool's own HTTP requests in process: the
// pool's verifier reads the key set through it.
type localTransport struct{ p *Pool }

func (t localTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.p.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

func levelFor(err error) slog.Level {
	if err != nil {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

func slogOp(name string) slog.Attr { return slog.String("operation", name) }

// slogErr logs an error's exception name only: messages are Cognito's
// constant texts, but a name is enough and can never carry input.
func slogErr(err error) slog.Attr {
	if err == nil {
		return slog.Attr{}
	}
	if e, ok := err.(*Error); ok {
		return slog.String("error", e.Code)
	}
	return slog.String("error", "internal")
}

// managedLogin routes the Managed Login paths to their methods and
// handlers.
var managedLogin = map[string]struct {
	methods []string
	handle  func(*Pool, http.ResponseWriter, *http.Request)
}{
	"/oauth2/authorize": {[]string{http.MethodGet}, (*Pool).authorize},
	"/login":            {[]string{http.MethodGet, http.MethodPost}, (*Pool).login},
	"/oauth2/token":     {[]string{http.MethodPost}, (*Pool).token},
	"/oauth2/userInfo":  {[]string{http.MethodGet, http.MethodPost}, (*Pool).userInfo},
	"/oauth2/revoke":    {[]string{http.MethodPost}, (*Pool).revoke},
	"/logout":           {[]string{http.MethodGet}, (*Pool).logout},
	// The pages of accounts and of the steps after the password.
	"/signup":                {[]string{http.MethodGet, http.MethodPost}, (*Pool).signUpPage},
	"/confirm":               {[]string{http.MethodGet, http.MethodPost}, (*Pool).confirmPage},
	"/confirmUser":           {[]string{http.MethodGet, http.MethodPost}, (*Pool).confirmPage},
	"/resendcode":            {[]string{http.MethodGet}, (*Pool).resendCodePage},
	"/forgotPassword":        {[]string{http.MethodGet, http.MethodPost}, (*Pool).forgotPasswordPage},
	"/confirmForgotPassword": {[]string{http.MethodGet, http.MethodPost}, (*Pool).confirmForgotPasswordPage},
	"/newPassword":           {[]string{http.MethodPost}, (*Pool).newPasswordPage},
	"/mfa":                   {[]string{http.MethodPost}, (*Pool).mfaPage},
	"/selectMfa":             {[]string{http.MethodPost}, (*Pool).selectMfaPage},
	"/mfaSetup":              {[]string{http.MethodPost}, (*Pool).mfaSetupPage},
}

// IsManagedLoginPath reports whether path is one of Managed Login's
// endpoints or pages, which a server may log.
func IsManagedLoginPath(path string) bool {
	_, ok := managedLogin[path]
	return ok
}

func (s *Service) serveManagedLogin(w http.ResponseWriter, r *http.Request) {
	route, ok := managedLogin[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if !allowMethods(w, r, route.methods...) {
		return
	}
	p := s.managedLoginPool(r)
	if p == nil {
		http.NotFound(w, r)
		return
	}
	route.handle(p, w, r)
}

// managedLoginPool finds the pool of a Managed Login request, one domain
// serving every pool: by the client_id of the query, the Basic
// credentials or the form, or, for /oauth2/userInfo, by the issuer of the
// bearer token. Otherwise the oldest pool answers, as a single pool would.
func (s *Service) managedLoginPool(r *http.Request) *Pool {
	if r.URL.Path == "/oauth2/userInfo" {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			if p := s.poolOfToken(strings.TrimSpace(tok)); p != nil {
				return p
			}
		}
		return s.first()
	}
	id := r.URL.Query().Get("client_id")
	if user, _, ok := r.BasicAuth(); ok && id == "" {
		id, _ = url.QueryUnescape(user)
	}
	if id == "" && r.Method == http.MethodPost && r.Body != nil {
		// Peek at the form without consuming it: the handler reads it.
		b, _ := io.ReadAll(io.LimitReader(r.Body, maxFormBody+1))
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
		if form, err := url.ParseQuery(string(b)); err == nil {
			id = form.Get("client_id")
		}
	}
	if p := s.poolOfClient(id); p != nil {
		return p
	}
	return s.first()
}
