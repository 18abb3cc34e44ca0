package web_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// testPool is a Managed Login stand-in on a cognitotest.Issuer: authorize
// signs the configured user in at once, and the token endpoint speaks the
// grants Cognito does, with single-use codes, PKCE S256, refresh-token
// families and revocation. Faults are switched on per test.
type testPool struct {
	*cognitotest.Issuer
	t        testing.TB
	clientID string
	secret   string
	lifetime time.Duration

	mu       sync.Mutex
	user     string
	groups   []string
	codes    map[string]codeGrant
	families map[string]*family // by refresh token

	tokenCalls  atomic.Int64
	revokeCalls atomic.Int64
	// fail makes the token endpoint answer 500.
	fail atomic.Bool
	// refreshAnswer, when set, is the status and error code the token
	// endpoint answers refresh grants with ("429 slow_down").
	refreshAnswer atomic.Pointer[[2]string]
	// noRevoke answers /oauth2/revoke as a client without token
	// revocation enabled: the refresh token stays good.
	noRevoke atomic.Bool
	// accessLifetime, when set, is the access tokens' lifetime, and
	// lifetime the ID tokens'.
	accessLifetime time.Duration
	// badNonce makes ID tokens carry another nonce.
	badNonce atomic.Bool
	// noIDToken leaves the ID token out, as when openid is not granted.
	noIDToken atomic.Bool
	// foreignKey signs tokens with a key the pool does not publish.
	foreignKey atomic.Pointer[cognitotest.SigningKey]
	// hold, when set, delays refresh answers until it is closed.
	hold chan struct{}
	// spoil, when set, rewrites each token answer before it is sent; nonce
	// is the one its ID token carries.
	spoil atomic.Pointer[func(body map[string]any, nonce string)]
	// refreshPad lengthens refresh tokens to a real one's size (Cognito's
	// are encrypted JWTs of about 1.7 KB).
	refreshPad int
}

type codeGrant struct {
	challenge, nonce, user, redirect string
	groups                           []string
}

type family struct {
	id      string
	user    string
	groups  []string
	sub     string
	revoked bool
}

func newTestPool(t testing.TB, clock func() time.Time, clientID, secret string) *testPool {
	p := &testPool{t: t, clientID: clientID, secret: secret, lifetime: time.Hour, user: "alice",
		codes: map[string]codeGrant{}, families: map[string]*family{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth2/authorize", p.authorize)
	mux.HandleFunc("POST /oauth2/token", p.token)
	mux.HandleFunc("POST /oauth2/revoke", p.revoke)
	mux.HandleFunc("GET /logout", p.logout)
	p.Issuer = cognitotest.NewIssuer(t, cognitotest.WithPoolID("local_Web"), cognitotest.WithClock(clock), cognitotest.WithHandler(mux))
	return p
}

// Domain is the Managed Login base URL.
func (p *testPool) Domain() string { return strings.TrimSuffix(p.URL(), "/"+p.PoolID()) }

func (p *testPool) signInAs(user string, groups ...string) {
	p.mu.Lock()
	p.user, p.groups = user, groups
	p.mu.Unlock()
}

func (p *testPool) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.clientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" {
		http.Error(w, "bad authorize request", http.StatusBadRequest)
		return
	}
	code := "code-" + randomID()
	p.mu.Lock()
	p.codes[code] = codeGrant{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), user: p.user,
		groups: p.groups, redirect: q.Get("redirect_uri")}
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := url.Values{"code": {code}, "state": {q.Get("state")}}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *testPool) clientOK(r *http.Request) bool {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return id == p.clientID && secret == p.secret
}

func tokenError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}

func (p *testPool) token(w http.ResponseWriter, r *http.Request) {
	p.tokenCalls.Add(1)
	_ = r.ParseForm()
	if p.fail.Load() {
		tokenError(w, http.StatusInternalServerError, "server_error")
		return
	}
	if !p.clientOK(r) {
		tokenError(w, http.StatusBadRequest, "invalid_client")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		p.mu.Lock()
		g, ok := p.codes[code]
		delete(p.codes, code) // single use
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || g.redirect != r.PostForm.Get("redirect_uri") ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			tokenError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		f := &family{id: randomID(), user: g.user, groups: g.groups, sub: "sub-" + g.user}
		rt := "rt-" + randomID() + strings.Repeat("x", p.refreshPad)
		p.mu.Lock()
		p.families[rt] = f
		p.mu.Unlock()
		p.issue(w, f, g.nonce, rt)
	case "refresh_token":
		if p.hold != nil {
			<-p.hold
		}
		if ans := p.refreshAnswer.Load(); ans != nil {
			status, _ := strconv.Atoi(ans[0])
			tokenError(w, status, ans[1])
			return
		}
		p.mu.Lock()
		f, ok := p.families[r.PostForm.Get("refresh_token")]
		p.mu.Unlock()
		if !ok || f.revoked {
			tokenError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		p.issue(w, f, "", "")
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

func (p *testPool) issue(w http.ResponseWriter, f *family, nonce, refresh string) {
	common := []cognitotest.TokenOption{
		cognitotest.WithClientID(p.clientID), cognitotest.WithUsername(f.user), cognitotest.WithSubject(f.sub),
		cognitotest.WithEmail(f.user + "@example.com"), cognitotest.WithClaim("origin_jti", f.id),
		cognitotest.WithLifetime(p.lifetime),
	}
	if len(f.groups) > 0 {
		common = append(common, cognitotest.WithGroups(f.groups...))
	}
	if k := p.foreignKey.Load(); k != nil {
		common = append(common, cognitotest.WithKey(k))
	}
	id := common
	if nonce != "" {
		if p.badNonce.Load() {
			nonce = "another-nonce"
		}
		id = append(id[:len(id):len(id)], cognitotest.WithClaim("nonce", nonce))
	}
	access := append(common[:len(common):len(common)], cognitotest.WithScopes("openid", "email", "profile"))
	if p.accessLifetime > 0 {
		access = append(access, cognitotest.WithLifetime(p.accessLifetime))
	}
	body := map[string]any{
		"access_token": p.AccessToken(access...),
		"id_token":     p.IDToken(append(id, cognitotest.WithAttribute("tenant_id", "acme"))...),
		"token_type":   "Bearer",
		"expires_in":   int(p.lifetime / time.Second),
	}
	if refresh != "" {
		body["refresh_token"] = refresh
	}
	if p.noIDToken.Load() {
		delete(body, "id_token")
	}
	if f := p.spoil.Load(); f != nil {
		(*f)(body, nonce)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func (p *testPool) revoke(w http.ResponseWriter, r *http.Request) {
	p.revokeCalls.Add(1)
	_ = r.ParseForm()
	if p.noRevoke.Load() {
		tokenError(w, http.StatusBadRequest, "unsupported_token_type")
		return
	}
	if !p.clientOK(r) {
		tokenError(w, http.StatusBadRequest, "invalid_client")
		return
	}
	p.mu.Lock()
	if f, ok := p.families[r.PostForm.Get("token")]; ok {
		f.revoked = true
	}
	p.mu.Unlock()
}

// revokeAll ends every refresh-token family, as a global sign-out would.
func (p *testPool) revokeAll() {
	p.mu.Lock()
	for _, f := range p.families {
		f.revoked = true
	}
	p.mu.Unlock()
}

func (p *testPool) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.clientID || q.Get("logout_uri") == "" {
		http.Error(w, "bad logout request", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, q.Get("logout_uri"), http.StatusFound)
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
