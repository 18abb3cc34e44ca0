package cognitolocal

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// codeLifetime is how long an authorization code is good for: Cognito's
// five minutes.
const codeLifetime = 5 * time.Minute

// maxFormBody bounds the form bodies of Managed Login.
const maxFormBody = 64 << 10

// authCode is an issued authorization code, single use.
type authCode struct {
	ClientID    string    `json:"clientId"`
	RedirectURI string    `json:"redirectUri"`
	Username    string    `json:"username"`
	Scopes      []string  `json:"scopes"`
	Nonce       string    `json:"nonce,omitempty"`
	Challenge   string    `json:"challenge,omitempty"`
	Expires     time.Time `json:"expires"`
	// SignOuts is the user's sign-out count at sign-in: a sign-out or a
	// disable before the exchange ends the sign-in.
	SignOuts int `json:"signOuts,omitempty"`
	// Sub is the user's at sign-in: a user deleted and created again
	// under the name before the exchange (a post authentication trigger
	// may) is another user. Empty in codes saved before it was kept.
	Sub string `json:"sub,omitempty"`
}

// authRequest is a validated authorization request.
type authRequest struct {
	client      AppClient
	redirectURI string
	state       string
	scopes      []string
	nonce       string
	challenge   string
}

// oauthError is an error of an authorization request, sent to the
// redirect URI once that is known to be registered.
type oauthError struct{ code, description string }

// parseAuthRequest validates an authorization request. A non-nil error
// page means the request cannot be redirected (unknown client or
// unregistered redirect URI): it is answered on the spot, never sent to
// an address the client did not register.
func (p *Pool) parseAuthRequest(q url.Values) (req authRequest, page string, oerr *oauthError) {
	c, ok := p.AppClient(q.Get("client_id"))
	if !ok {
		return req, "invalid_request: unknown client_id", nil
	}
	req.client = c
	req.redirectURI = q.Get("redirect_uri")
	if req.redirectURI == "" || !slices.Contains(c.CallbackURLs, req.redirectURI) {
		return req, "redirect_mismatch: redirect_uri is not a registered callback URL of the client", nil
	}
	req.state = q.Get("state")
	req.nonce = q.Get("nonce")
	switch q.Get("response_type") {
	case "code":
	case "token":
		return req, "", &oauthError{"unauthorized_client", "this pool supports the code flow only"}
	default:
		return req, "", &oauthError{"unsupported_response_type", "response_type must be code"}
	}
	if !slices.Contains(c.AllowedOAuthFlows, "code") {
		return req, "", &oauthError{"unauthorized_client", "the client does not allow the code flow"}
	}
	req.scopes = strings.Fields(q.Get("scope"))
	if len(req.scopes) == 0 {
		req.scopes = slices.DeleteFunc(slices.Clone(c.AllowedOAuthScopes), isResourceScope)
	}
	for _, s := range req.scopes {
		if !slices.Contains(c.AllowedOAuthScopes, s) {
			return req, "", &oauthError{"invalid_scope", "a requested scope is not allowed for the client"}
		}
	}
	req.challenge = q.Get("code_challenge")
	method := q.Get("code_challenge_method")
	switch {
	case req.challenge == "" && method == "":
	case method != "S256":
		return req, "", &oauthError{"invalid_request", "code_challenge_method must be S256"}
	case !pkceValue(req.challenge):
		return req, "", &oauthError{"invalid_request", "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~"}
	}
	return req, "", nil
}

// pkceValue reports whether s has the form RFC 7636 gives both the
// code_verifier and the code_challenge: 43 to 128 unreserved characters.
// A padded or standard-base64 challenge, or a verifier outside it, is a
// client bug that a real pool refuses too, so it is refused here rather
// than left to pass locally and fail in production.
func pkceValue(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// redirectError sends an authorization error to the registered redirect
// URI, with the request's state.
func redirectError(w http.ResponseWriter, r *http.Request, req authRequest, e *oauthError) {
	v := url.Values{"error": {e.code}, "error_description": {e.description}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, v), http.StatusFound)
}

func withQuery(uri string, v url.Values) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + v.Encode()
}

// authorize validates the request and sends the browser to the sign-in
// page with the same parameters, as Cognito's domain does.
func (p *Pool) authorize(w http.ResponseWriter, r *http.Request) {
	req, page, oerr := p.parseAuthRequest(r.URL.Query())
	switch {
	case page != "":
		http.Error(w, page, http.StatusBadRequest)
	case oerr != nil:
		redirectError(w, r, req, oerr)
	default:
		http.Redirect(w, r, "/login?"+r.URL.RawQuery, http.StatusFound)
	}
}

// writeOAuth answers a token-endpoint request with JSON that no cache
// keeps.
func writeOAuth(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// tokenError answers with an RFC 6749 error; invalid_client after Basic
// authentication is 401 with a challenge.
func tokenError(w http.ResponseWriter, r *http.Request, code string) {
	status := http.StatusBadRequest
	if code == "invalid_client" && r.Header.Get("Authorization") != "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth2"`)
		status = http.StatusUnauthorized
	}
	writeOAuth(w, status, map[string]string{"error": code})
}

// clientAuth authenticates the client of a token or revocation request:
// client_secret_basic (the header's parts are form-encoded, RFC 6749
// §2.3.1) or client_secret_post; a public client sends its client_id
// alone.
func (p *Pool) clientAuth(r *http.Request) (AppClient, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		// One authentication method per request (RFC 6749 §2.3): a form
		// client_id naming another client than the header is refused
		// rather than one of the two silently winning.
		if form := r.PostForm.Get("client_id"); err1 != nil || err2 != nil || form != "" && form != id {
			return AppClient{}, false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, ok := p.AppClient(id)
	if !ok || c.ClientSecret != "" && secret == "" || !c.checkSecret(secret) {
		return AppClient{}, false
	}
	return c, true
}

// formClient reads the form of a token or revocation request, which must
// have the field required, and authenticates its client; on failure it
// has answered.
func (p *Pool) formClient(w http.ResponseWriter, r *http.Request, required string) (AppClient, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil || r.PostForm.Get(required) == "" {
		tokenError(w, r, "invalid_request")
		return AppClient{}, false
	}
	c, ok := p.clientAuth(r)
	if !ok {
		tokenError(w, r, "invalid_client")
	}
	return c, ok
}

// token is the token endpoint: authorization_code (with PKCE),
// refresh_token and client_credentials.
func (p *Pool) token(w http.ResponseWriter, r *http.Request) {
	c, ok := p.formClient(w, r, "grant_type")
	if !ok {
		return
	}
	var t Tokens
	var code string
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		t, code = p.exchangeCode(r, c)
	case "refresh_token":
		t, code = p.refreshGrant(r, c)
	case "client_credentials":
		t, code = p.clientCredentials(r, c)
	default:
		code = "unsupported_grant_type"
	}
	if code != "" {
		tokenError(w, r, code)
		return
	}
	out := map[string]any{"access_token": t.AccessToken, "expires_in": t.ExpiresIn, "token_type": "Bearer"}
	if t.IDToken != "" {
		out["id_token"] = t.IDToken
	}
	if t.RefreshToken != "" {
		out["refresh_token"] = t.RefreshToken
	}
	writeOAuth(w, http.StatusOK, out)
}

// exchangeCode redeems an authorization code: once, within five minutes,
// by the client it was issued to, with the same redirect_uri and, when the
// request had a code_challenge, the matching code_verifier.
func (p *Pool) exchangeCode(r *http.Request, c AppClient) (Tokens, string) {
	form := r.PostForm
	p.mu.Lock()
	key := digest(form.Get("code"))
	ac := p.codes[key]
	delete(p.codes, key) // single use, even when the exchange fails
	p.mu.Unlock()
	if ac == nil || ac.ClientID != c.ClientID || ac.RedirectURI != form.Get("redirect_uri") || !p.now().Before(ac.Expires) {
		return Tokens{}, "invalid_grant"
	}
	if ac.Challenge != "" {
		if !pkceValue(form.Get("code_verifier")) {
			return Tokens{}, "invalid_grant"
		}
		sum := sha256.Sum256([]byte(form.Get("code_verifier")))
		got := base64.RawURLEncoding.EncodeToString(sum[:])
		if subtle.ConstantTimeCompare([]byte(got), []byte(ac.Challenge)) != 1 {
			return Tokens{}, "invalid_grant"
		}
	}
	p.mu.Lock()
	u := p.userNamed(ac.Username)
	var snap snapshot
	ok := u != nil && u.Enabled && (ac.Sub == "" || u.sub() == ac.Sub)
	if ok {
		snap = p.snapshotLocked(u)
		// The sign-in began at the login page.
		snap.signOuts = ac.SignOuts
	}
	p.mu.Unlock()
	if !ok {
		return Tokens{}, "invalid_grant"
	}
	fam := p.newFamily(snap.username, c, ac.Scopes, true)
	t, err := p.issue(r.Context(), issueRequest{
		user: &snap, client: c, fam: fam, source: sourceHostedAuth, nonce: ac.Nonce,
		idToken: slices.Contains(ac.Scopes, "openid"), atHash: true,
	})
	if err != nil {
		return Tokens{}, triggerFailure(err)
	}
	if t.RefreshToken, err = p.startFamily(fam, snap); err != nil {
		return Tokens{}, "invalid_grant"
	}
	return t, ""
}

// triggerFailure is the OAuth error of a failed issue: the trigger's
// failure is the server's, not the client's.
func triggerFailure(error) string { return "invalid_request" }

func (p *Pool) refreshGrant(r *http.Request, c AppClient) (Tokens, string) {
	if !c.allowsFlow("ALLOW_REFRESH_TOKEN_AUTH") {
		return Tokens{}, "unauthorized_client"
	}
	if p.remembersAPISignIn(c, r.PostForm.Get("refresh_token")) {
		return Tokens{}, "invalid_grant"
	}
	t, err := p.refreshTokens(r.Context(), c.ClientID, r.PostForm.Get("refresh_token"), "", nil)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == codeNotAuthorized || errors.As(err, &e) && e.Code == codeUserNotFound {
			return Tokens{}, "invalid_grant"
		}
		return Tokens{}, triggerFailure(err)
	}
	return t, ""
}

// remembersAPISignIn reports whether refreshToken, of client c,
// came from an API sign-in in a pool that remembers devices: the token
// endpoint does not refresh it. The developer guide ("Token endpoint"):
// users who sign in with InitiateAuth and AdminInitiateAuth "can refresh
// their tokens with the token endpoint when remembered devices is not
// active in your user pool. If remembered devices is active, refresh
// tokens with the AuthFlow of REFRESH_TOKEN_AUTH". The endpoint takes no
// device key (its page lists none), so a device_key in the form changes
// nothing. The guide names no error; the pool answers invalid_grant, as
// for a refresh token the endpoint cannot use. Managed Login's tokens
// refresh here whatever the pool's devices.
func (p *Pool) remembersAPISignIn(c AppClient, refreshToken string) bool {
	if p.devices() == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.families[p.refresh[digest(refreshToken)]]
	return f != nil && f.ClientID == c.ClientID && !f.Hosted
}

// clientCredentials issues a machine-to-machine access token: a
// confidential client allowed the flow, resource-server scopes only.
func (p *Pool) clientCredentials(r *http.Request, c AppClient) (Tokens, string) {
	if c.ClientSecret == "" || !slices.Contains(c.AllowedOAuthFlows, "client_credentials") {
		return Tokens{}, "unauthorized_client"
	}
	// Scopes of a resource server deleted since the client was allowed
	// them are no longer granted.
	p.mu.Lock()
	allowed := slices.DeleteFunc(slices.Clone(c.AllowedOAuthScopes), func(s string) bool { return !isResourceScope(s) || !p.definesScopeLocked(s) })
	p.mu.Unlock()
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		scopes = allowed
	}
	for _, s := range scopes {
		if !slices.Contains(allowed, s) {
			return Tokens{}, "invalid_scope"
		}
	}
	if len(scopes) == 0 {
		return Tokens{}, "invalid_scope"
	}
	t, err := p.issue(r.Context(), issueRequest{client: c, fam: family{Scopes: scopes}, source: sourceClientCredentials})
	if err != nil {
		return Tokens{}, triggerFailure(err)
	}
	return t, ""
}

// invalidTokenChallenge is Cognito's answer to a token the userInfo
// endpoint will not honour.
const invalidTokenChallenge = `Bearer error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out."`

// userInfo answers the user's attributes for a Bearer access token with
// scope openid, as Cognito scopes them: sub and username always; with
// openid alone every attribute the client may read; with profile, email
// or phone, the attributes of those scopes (custom attributes with
// profile). Values are strings, as Cognito sends them.
func (p *Pool) userInfo(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer`)
		writeOAuth(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request"})
		return
	}
	claims, err := p.accessVerifier().Verify(r.Context(), token)
	name := ""
	if err == nil {
		name, err = p.honoured(claims)
	}
	if err != nil {
		w.Header().Set("WWW-Authenticate", invalidTokenChallenge)
		writeOAuth(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "Access token is expired, disabled, or deleted, or the user has globally signed out."})
		return
	}
	if !claims.HasScope("openid") {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope"`)
		writeOAuth(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope"})
		return
	}
	p.mu.Lock()
	u := p.userNamed(name)
	var snap snapshot
	if u != nil {
		snap = p.snapshotLocked(u)
	}
	c, _ := p.clients[claims.ClientID]
	p.mu.Unlock()
	out := map[string]string{"sub": snap.attrs["sub"], "username": snap.username}
	// openid alone reads every attribute the client may read; profile,
	// email and phone each narrow the answer to their own attributes.
	narrowed := claims.HasScope("profile") || claims.HasScope("email") || claims.HasScope("phone")
	for attr, v := range snap.attrs {
		if c != nil && !c.canRead(attr) {
			continue
		}
		if !narrowed || claims.HasScope(attributeScope(attr)) {
			out[attr] = v
		}
	}
	writeOAuth(w, http.StatusOK, out)
}

// attributeScope is the OIDC scope that lets userInfo answer attr:
// profile covers the profile attributes and custom ones.
func attributeScope(attr string) string {
	switch attr {
	case "email", "email_verified":
		return "email"
	case "phone_number", "phone_number_verified":
		return "phone"
	case "address":
		return "address"
	}
	return "profile"
}

// revoke is the revocation endpoint: the refresh token's family ends;
// tokens the pool does not know are answered 200, as RFC 7009 asks.
func (p *Pool) revoke(w http.ResponseWriter, r *http.Request) {
	c, ok := p.formClient(w, r, "token")
	if !ok {
		return
	}
	if c.TokenRevocationDisabled {
		// A client with EnableTokenRevocation false revokes nothing
		// ("Ending user sessions with token revocation"); the page names
		// no error code, and RFC 7009's is this one.
		tokenError(w, r, "unsupported_token_type")
		return
	}
	if err := p.revokeRefreshToken(c.ClientID, r.PostForm.Get("token")); err != nil {
		tokenError(w, r, "unauthorized_client")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// logout sends the browser to a registered sign-out URL (client_id and
// logout_uri), or back to the sign-in page (client_id, redirect_uri and
// response_type, as for /oauth2/authorize). The pool keeps no sign-in
// session, so there is nothing else to end.
func (p *Pool) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, ok := p.AppClient(q.Get("client_id"))
	if !ok {
		http.Error(w, "invalid_request: unknown client_id", http.StatusBadRequest)
		return
	}
	if lu := q.Get("logout_uri"); lu != "" {
		if !slices.Contains(c.LogoutURLs, lu) {
			http.Error(w, "invalid_request: logout_uri is not a registered sign-out URL of the client", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, lu, http.StatusFound)
		return
	}
	if q.Get("redirect_uri") != "" && q.Get("response_type") != "" {
		p.authorize(w, r)
		return
	}
	http.Error(w, "invalid_request: logout needs logout_uri, or redirect_uri and response_type", http.StatusBadRequest)
}
