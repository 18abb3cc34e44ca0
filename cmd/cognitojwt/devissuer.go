package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/cognitojwt/cognitojwt/cognitotest"
)

const (
	defaultDevAddr = "127.0.0.1:9229"
	defaultDevPool = "local_Dev"
	maxMintBody    = 64 << 10
)

const devIssuerHelp = `Serve a local stand-in for a Cognito user pool, for development without
AWS: the JWKS at ISSUER/.well-known/jwks.json, the discovery document at
ISSUER/.well-known/openid-configuration, and POST /mint, which mints access
and ID tokens for any username, groups, scopes and attributes.

The signing key is kept in --key-file (created on first start, mode 0600),
so tokens minted before a restart still verify after it. The server listens
on loopback only: anyone who can reach /mint can mint tokens.

Point the library at it with Config.Issuer (and ClientIDs "local-client",
the default app client of minted tokens); mint tokens with
"cognitojwt mint" or curl:

  curl -s -X POST http://127.0.0.1:9229/mint -d username=alice -d groups=admin

POST /mint takes JSON or form fields: username, email, groups, scopes,
attributes (form: attribute=NAME=VALUE, sets custom:NAME), claims (form:
claim=NAME=VALUE, any claim, VALUE as JSON if it parses), client_id,
token_use (access or id; default both), lifetime (such as 15m; negative for
an expired token) and machine (a client-credentials token). It answers
{"access_token", "id_token", "token_type", "expires_in", "issuer"}.`

var poolNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,55}$`)

func runDevIssuer(e *env, args []string) error {
	fs := newFlagSet(e, "dev-issuer", "", devIssuerHelp)
	addr := fs.String("addr", defaultDevAddr, "loopback `host:port` to listen on")
	pool := fs.String("pool", defaultDevPool, "user-pool `ID`: the issuer is http://ADDR/ID")
	keyFile := fs.String("key-file", defaultKeyFile(), "`path` of the signing key file")
	positional, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageErrorf("unexpected argument %q", positional[0])
	}
	if err := checkLoopbackAddr(*addr); err != nil {
		return err
	}
	if !poolNamePattern.MatchString(*pool) {
		return usageErrorf("--pool %q: use 1 to 55 letters, digits, _ or -", *pool)
	}
	key, created, err := loadOrCreateKey(*keyFile, e.stderr)
	if err != nil {
		return envErrorf("%v", err)
	}
	srv := &devServer{log: log.New(e.stderr, "dev-issuer: ", log.LstdFlags)}
	issuer, err := cognitotest.Start(*addr, cognitotest.WithPoolID(*pool), cognitotest.WithSigningKey(*key), cognitotest.WithHandler(srv))
	if err != nil {
		return envErrorf("cannot listen on %s: %v (is another dev-issuer running? choose another --addr)", *addr, err)
	}
	srv.issuer.Store(issuer)
	defer issuer.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	printDevIssuer(e.stdout, issuer, *keyFile, key.KeyID, created, *addr)
	<-ctx.Done()
	fmt.Fprintln(e.stderr, "dev-issuer: stopping")
	return nil
}

func printDevIssuer(w io.Writer, issuer *cognitotest.Issuer, keyFile, kid string, created bool, addr string) {
	base := strings.TrimSuffix(issuer.URL(), "/"+issuer.PoolID())
	keyState := "loaded"
	if created {
		keyState = "created"
	}
	serverFlag := ""
	if base != "http://"+defaultDevAddr {
		serverFlag = " --server " + base
	}
	fmt.Fprintf(w, `cognitojwt dev-issuer: a local stand-in for a Cognito user pool.
Development only: anyone who reaches it can mint tokens.

  Pool ID        %s
  Issuer         %s
  JWKS URL       %s
  Discovery      %s/.well-known/openid-configuration
  Mint endpoint  POST %s/mint
  App client     %s
  Key file       %s (%s, kid %s)

Point the library at it:

  cognitojwt.Config{
      Issuer:    %q,
      ClientIDs: []string{%q},
  }

Mint a token:

  cognitojwt mint%s --username alice --groups admin
  curl -s -X POST %s/mint -d username=alice -d groups=admin

Press Ctrl+C to stop.
`, issuer.PoolID(), issuer.URL(), issuer.JWKSURL(), issuer.URL(), base, cognitotest.DefaultClientID,
		keyFile, keyState, kid, issuer.URL(), cognitotest.DefaultClientID, serverFlag, base)
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
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// devServer answers what the issuer does not: POST /mint and a short help
// page.
type devServer struct {
	issuer atomic.Pointer[cognitotest.Issuer]
	log    *log.Logger
}

func (s *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	issuer := s.issuer.Load()
	if issuer == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	switch r.URL.Path {
	case "/mint":
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
		s.mint(w, r, issuer)
	case "/":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "cognitojwt dev-issuer\n\nissuer: %s\njwks:   %s\nmint:   POST /mint (username, groups, scopes, attributes, claims, client_id, token_use, lifetime, machine)\n",
			issuer.URL(), issuer.JWKSURL())
	default:
		http.NotFound(w, r)
	}
}

func (s *devServer) mint(w http.ResponseWriter, r *http.Request, issuer *cognitotest.Issuer) {
	r.Body = http.MaxBytesReader(w, r.Body, maxMintBody)
	req, err := readMintRequest(r)
	var resp *mintResponse
	if err == nil {
		resp, err = mintTokens(issuer, "", req)
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
		case "username", "email", "groups", "scopes", "attribute", "claim", "client_id", "token_use", "lifetime", "machine":
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
	for _, kv := range r.Form["claim"] {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return req, badRequestf("claim %q is not NAME=VALUE", kv)
		}
		if req.Claims == nil {
			req.Claims = map[string]any{}
		}
		req.Claims[name] = claimValue(value)
	}
	return req, nil
}
