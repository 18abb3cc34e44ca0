package cognitolocal

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
)

// ServeHTTP serves everything on one address, as Cognito splits it across
// hosts: the issuer's JWKS and discovery documents under /{PoolID}, the
// JSON API at POST /, and Managed Login (/oauth2/*, /login, /logout).
func (p *Pool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.onChange == nil || !mayChange(r) {
		p.serve(w, r)
		return
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	p.serve(sw, r)
	if sw.status == http.StatusOK {
		p.onChange()
	}
}

// readOnlyOps are the JSON API operations that change nothing saved.
var readOnlyOps = []string{
	targetPrefix + "GetUser", targetPrefix + "AdminGetUser", targetPrefix + "ListUsers",
	targetPrefix + "AdminListGroupsForUser", targetPrefix + "DescribeUserPoolClient",
	targetPrefix + "GetUserPoolMfaConfig",
}

// mayChange reports whether r can change the saved state: a JSON API
// operation that is not a read, or a token or revocation request.
func mayChange(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	switch r.URL.Path {
	case "/":
		return !slices.Contains(readOnlyOps, r.Header.Get("X-Amz-Target"))
	case "/oauth2/token", "/oauth2/revoke":
		return true
	}
	return false
}

// statusWriter records the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (p *Pool) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/" + p.poolID + "/.well-known/jwks.json":
		if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(p.JWKS())
	case "/" + p.poolID + "/.well-known/openid-configuration":
		if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p.discovery())
	case "/":
		if r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") != "" {
			p.serveAPI(w, r)
			return
		}
		http.NotFound(w, r)
	default:
		p.serveManagedLogin(w, r)
	}
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
