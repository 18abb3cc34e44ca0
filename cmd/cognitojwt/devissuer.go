package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
	"github.com/cognitojwt/cognitojwt/internal/fetch"
)

const (
	defaultDevAddr = "127.0.0.1:9229"
	defaultDevPool = "local_Dev"
	maxMintBody    = 64 << 10
)

const devIssuerHelp = `Serve a local Cognito user pool, for development without AWS: users,
groups and app clients; the issuer's JWKS and discovery documents; the
user-pool JSON API that the AWS SDKs and CLI speak (POST / with
X-Amz-Target); Managed Login (/oauth2/authorize, /login, /oauth2/token,
/oauth2/userInfo, /oauth2/revoke, /logout); and POST /mint, which mints
tokens for any username with no user behind them.

The signing key is kept in --key-file (created on first start, mode 0600),
so tokens minted before a restart still verify after it. The server listens
on loopback only and checks no AWS signatures: anyone who can reach it can
administer the pool and mint tokens.

The pool starts with the public app client "local-client" (USER_PASSWORD_AUTH,
REFRESH_TOKEN_AUTH and the code flow, callbacks http://localhost:8080/callback
and http://127.0.0.1:8080/callback). Add users with "cognitojwt users add",
or with the AWS CLI and --endpoint-url http://ADDR.

Point the library at it with Config.Issuer (and ClientIDs "local-client");
mint quick tokens with "cognitojwt mint" or curl:

  curl -s -X POST http://127.0.0.1:9229/mint -d username=alice -d groups=admin

POST /mint takes JSON or form fields: username, email, groups, scopes,
attributes (form: attribute=NAME=VALUE; ID token only), claims (form:
claim=NAME=VALUE, VALUE as JSON if it parses; ID token only),
trigger_claims (form: trigger_claim=NAME=VALUE; the access token, as a
pre-token-generation trigger adds them), client_id, token_use (access or
id; default both), lifetime (such as 15m; negative for an expired token)
and machine (a client-credentials token). It answers {"access_token",
"id_token", "token_type", "expires_in", "issuer"}.`

var poolNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,55}$`)

func runDevIssuer(e *env, args []string) error {
	fs := newFlagSet(e, "dev-issuer", "", devIssuerHelp)
	addr := fs.String("addr", defaultDevAddr, "loopback `host:port` to listen on")
	pool := fs.String("pool", defaultDevPool, "user-pool `ID`: the issuer is http://ADDR/ID")
	keyFile := fs.String("key-file", defaultKeyFile(), "`path` of the signing key file")
	stateFile := fs.String("state-file", "", "`path` of the pool's state: users, groups, app clients, custom\nattributes and refresh tokens, saved after every change and loaded on\nstart, so a restart keeps users signed in; \"none\" keeps it in memory\n(default dev-issuer-state-POOL.json next to the key file)")
	triggerURL := fs.String("pre-token-generation", "", "`URL` of a pre-token-generation trigger served over HTTP: each token\nissue POSTs the event JSON there and reads the answered event")
	triggerVersion := fs.String("trigger-version", "V2_0", "pre-token-generation event `version`: V2_0, or V3_0 to run for\nclient-credentials tokens too")
	var custom, immutable listFlag
	fs.Var(&custom, "custom-attribute", "declare custom attribute `NAME` (custom:NAME), mutable; comma-separated\nor repeated")
	fs.Var(&immutable, "immutable-attribute", "declare custom attribute `NAME`, settable only when a user is created")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := checkLoopbackAddr(*addr); err != nil {
		return err
	}
	if !poolNamePattern.MatchString(*pool) {
		return usageErrorf("--pool %q: use 1 to 55 letters, digits, _ or -", *pool)
	}
	if *triggerVersion != "V2_0" && *triggerVersion != "V3_0" {
		return usageErrorf("--trigger-version %q: want V2_0 or V3_0", *triggerVersion)
	}
	cfg := cognitolocal.Config{PoolID: *pool, Logger: slog.New(slog.NewTextHandler(e.stderr, nil))}
	if *triggerURL != "" {
		u, err := url.Parse(*triggerURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErrorf("--pre-token-generation %q is not an http(s) URL", *triggerURL)
		}
		cfg.PreTokenGeneration = cognitolocal.HTTPTrigger(*triggerURL)
		cfg.TriggerVersion = *triggerVersion
	}
	key, created, err := loadOrCreateKey(*keyFile, e.stderr)
	if err != nil {
		return envErrorf("%v", err)
	}
	cfg.Key = key
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return envErrorf("cannot listen on %s: %v (is another dev-issuer running? choose another --addr)", *addr, err)
	}
	defer ln.Close()
	// The pool names itself by the address it listens on, the port chosen
	// included.
	cfg.BaseURL = "http://" + ln.Addr().String()
	p, err := cognitolocal.New(cfg)
	if err != nil {
		return usageErrorf("%v", err)
	}
	dev := &devServer{pool: p, log: log.New(e.stderr, "dev-issuer: ", log.LstdFlags)}
	if *stateFile == "" {
		*stateFile = filepath.Join(filepath.Dir(*keyFile), "dev-issuer-state-"+*pool+".json")
	}
	if *stateFile != "none" {
		dev.stateFile = *stateFile
		if err := dev.loadState(); err != nil {
			return envErrorf("%v", err)
		}
	}
	for _, list := range []struct {
		names   []string
		mutable bool
	}{{custom, true}, {immutable, false}} {
		for _, name := range list.names {
			err := p.AddCustomAttribute(name, list.mutable)
			var refused *cognitolocal.Error
			if errors.As(err, &refused) && strings.HasPrefix(refused.Message, "Existing attribute already has name") {
				// Declared on an earlier run and loaded with the state: it
				// keeps the mutability it was declared with, as in Cognito.
				continue
			}
			if err != nil {
				return usageErrorf("declaring custom attribute %q: %v", name, err)
			}
		}
	}
	if err := dev.saveState(); err != nil {
		return envErrorf("%v", err)
	}
	srv := &http.Server{Handler: dev, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	printDevIssuer(e.stdout, p, *keyFile, key.Kid, created, dev.stateFile)
	select {
	case <-ctx.Done():
	case err := <-served:
		return envErrorf("serving: %v", err)
	}
	fmt.Fprintln(e.stderr, "dev-issuer: stopping")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
	}
	<-served
	if err := dev.saveState(); err != nil {
		return envErrorf("%v", err)
	}
	return nil
}

func printDevIssuer(w io.Writer, p *cognitolocal.Pool, keyFile, kid string, created bool, stateFile string) {
	if stateFile == "" {
		stateFile = "none (in memory)"
	}
	base := p.Endpoint()
	keyState := "loaded"
	if created {
		keyState = "created"
	}
	serverFlag := ""
	if base != "http://"+defaultDevAddr {
		serverFlag = " --server " + base
	}
	fmt.Fprintf(w, `cognitojwt dev-issuer: a local Cognito user pool.
Development only: no AWS signatures are checked; anyone who reaches it can
administer the pool and mint tokens.

  Pool ID        %s
  Issuer         %s
  JWKS URL       %s
  Discovery      %s/.well-known/openid-configuration
  JSON API       %s (AWS SDK BaseEndpoint, aws --endpoint-url)
  Managed Login  %s/oauth2/authorize
  Mint endpoint  POST %s/mint
  App client     %s
  Key file       %s (%s, kid %s)
  State file     %s

Point the library at it:

  cognitojwt.Config{
      Issuer:    %q,
      ClientIDs: []string{%q},
  }

Add a user, or mint a quick token for any username:

  cognitojwt users add%s alice --password 'Passw0rd!' --groups admin
  cognitojwt mint%s --username alice --groups admin
  curl -s -X POST %s/mint -d username=alice -d groups=admin

Press Ctrl+C to stop.
`, p.PoolID(), p.Issuer(), p.JWKSURL(), p.Issuer(), base, base, base, cognitolocal.DefaultClientID,
		keyFile, keyState, kid, stateFile, p.Issuer(), cognitolocal.DefaultClientID, serverFlag, serverFlag, base)
}

// checkLoopbackAddr refuses addresses other hosts could reach: /mint
// hands out valid tokens to whoever asks.
func checkLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErrorf("--addr %q: %v", addr, err)
	}
	if loopbackHost(host) {
		return nil
	}
	return usageErrorf("--addr %q: the dev-issuer listens on loopback only (127.0.0.1, ::1 or localhost), since anyone who reaches it can mint tokens", addr)
}

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return fetch.IsLoopback(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
}

// devServer adds to the pool what only a development server has: POST
// /mint, a short help page and a state file.
type devServer struct {
	pool *cognitolocal.Pool
	log  *log.Logger
	// stateFile, when set, holds the pool's state across restarts.
	stateFile string
	saving    sync.Mutex
}

// loadState loads the state file, if there is one yet.
func (s *devServer) loadState() error {
	f, err := os.Open(s.stateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening the state file: %w", err)
	}
	defer f.Close()
	if err := s.pool.LoadState(f); err != nil {
		return fmt.Errorf("state file %s: %w (delete it, or give another --state-file, to start afresh)", s.stateFile, err)
	}
	return nil
}

// saveState writes the pool's state to the state file, atomically: a
// crash leaves the previous state, never half of one. The file holds
// client secrets and password hashes, hence mode 0600.
func (s *devServer) saveState() error {
	if s.stateFile == "" {
		return nil
	}
	s.saving.Lock()
	defer s.saving.Unlock()
	dir := filepath.Dir(s.stateFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the state file's directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".dev-issuer-state-*")
	if err != nil {
		return fmt.Errorf("saving the state: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = s.pool.SaveState(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.stateFile)
	}
	if err != nil {
		return fmt.Errorf("saving the state: %w", err)
	}
	return nil
}

func (s *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/mint":
		if !loopbackHost(r.Host) {
			// A web page whose name was rebound to 127.0.0.1 must not
			// read minted tokens.
			writeMintError(w, http.StatusForbidden, "the Host header must name a loopback address")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeMintError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		s.mint(w, r)
	case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "cognitojwt dev-issuer\n\nissuer:   %s\njwks:     %s\napi:      POST / (X-Amz-Target: AWSCognitoIdentityProviderService.*)\nlogin:    /oauth2/authorize\noutbox:   GET /local/outbox (the codes and invitations the pool would have sent)\nmint:     POST /mint (username, groups, scopes, attributes, claims, trigger_claims, client_id, token_use, lifetime, machine)\n",
			s.pool.Issuer(), s.pool.JWKSURL())
	default:
		s.pool.ServeHTTP(w, r)
		// Every change to the pool comes in a POST (the JSON API, the
		// sign-in form, the token and revocation endpoints).
		if r.Method == http.MethodPost {
			if err := s.saveState(); err != nil {
				s.log.Print(err)
			}
		}
	}
}

func (s *devServer) mint(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxMintBody)
	req, err := readMintRequest(r)
	var resp *mintResponse
	if err == nil {
		resp, err = mintTokens(s.pool, req)
	}
	if err != nil {
		status := http.StatusInternalServerError
		if isBadRequest(err) {
			status = http.StatusBadRequest
		}
		writeMintError(w, status, err.Error())
		return
	}
	kinds := []string{}
	if resp.AccessToken != "" {
		kinds = append(kinds, "access")
	}
	if resp.IDToken != "" {
		kinds = append(kinds, "id")
	}
	who := req.Username
	if req.Machine {
		who = "machine client"
	} else if who == "" {
		who = defaultUsername
	}
	s.log.Printf("minted %s token for %s, groups %v, scopes %v, lifetime %ds",
		strings.Join(kinds, "+"), who, req.Groups, req.Scopes, resp.ExpiresIn)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(resp)
}

func writeMintError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": msg})
}

// readMintRequest reads a JSON body strictly (unknown fields are refused,
// to catch typos) or form fields of the same names.
func readMintRequest(r *http.Request) (mintRequest, error) {
	var req mintRequest
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return req, badRequestf("JSON body: %v", err)
		}
		if dec.More() {
			return req, badRequestf("JSON body holds more than one value")
		}
		return req, nil
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return req, badRequestf("body larger than %d bytes", maxMintBody)
		}
		return req, badRequestf("form: %v", err)
	}
	for name := range r.Form {
		switch name {
		case "username", "email", "groups", "scopes", "attribute", "claim", "trigger_claim", "client_id", "token_use", "lifetime", "machine":
		default:
			return req, badRequestf("unknown field %q", name)
		}
	}
	req.Username = r.Form.Get("username")
	req.Email = r.Form.Get("email")
	req.ClientID = r.Form.Get("client_id")
	req.TokenUse = r.Form.Get("token_use")
	req.Lifetime = r.Form.Get("lifetime")
	req.Groups = splitList(r.Form["groups"])
	req.Scopes = splitList(r.Form["scopes"])
	var err error
	if req.Machine, err = parseBool("machine", r.Form.Get("machine")); err != nil {
		return req, err
	}
	for _, kv := range r.Form["attribute"] {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return req, badRequestf("attribute %q is not NAME=VALUE", kv)
		}
		if req.Attributes == nil {
			req.Attributes = map[string]string{}
		}
		req.Attributes[name] = value
	}
	var claims, triggerClaims pairFlag
	for _, field := range []struct {
		name string
		into *pairFlag
	}{{"claim", &claims}, {"trigger_claim", &triggerClaims}} {
		for _, kv := range r.Form[field.name] {
			if err := field.into.Set(kv); err != nil {
				return req, badRequestf("%s %q is not NAME=VALUE", field.name, kv)
			}
		}
	}
	req.Claims = claims.values()
	req.TriggerClaims = triggerClaims.values()
	return req, nil
}
