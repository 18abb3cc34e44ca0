package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
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
administer the pool and mint tokens. Everything but the JWKS and discovery
documents answers only requests whose Host names a loopback address, so a
web page whose DNS name was rebound to 127.0.0.1 cannot use it. Each
Managed Login request is logged on stderr, one line each.

More pools can be created beside the default one with CreateUserPool
("aws cognito-idp create-user-pool"): each has its own issuer
http://ADDR/POOL_ID, keys and JWKS. Every change to any pool is written to
the state file before its answer is sent, so a crash loses nothing a
client was told had happened.

With --tls everything is served over https, with a certificate from a local
certificate authority created on first use and kept beside the key file
(dev-issuer-ca.pem); trust that file in clients (NODE_EXTRA_CA_CERTS,
SSL_CERT_FILE, AWS_CA_BUNDLE). The issuer becomes https://ADDR/POOL_ID.

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
	triggerVersion := fs.String("trigger-version", "V2_0", "pre-token-generation event `version`: V2_0, V3_0 to run for\nclient-credentials tokens too, or V1_0 (the ID token only)")
	useTLS := fs.Bool("tls", false, "serve https with a certificate from a local CA kept beside the key file")
	var lambdas pairFlag
	fs.Var(&lambdas, "lambda", "`ARN=URL`: run the trigger served at URL when a pool's LambdaConfig names\nthe Lambda ARN (PreSignUp, PostConfirmation, PreAuthentication,\nPostAuthentication, DefineAuthChallenge, CreateAuthChallenge,\nVerifyAuthChallengeResponse, PreTokenGenerationConfig; repeatable): each\ninvocation POSTs the event JSON there and reads the answered event")
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
	if *triggerVersion != "V1_0" && *triggerVersion != "V2_0" && *triggerVersion != "V3_0" {
		return usageErrorf("--trigger-version %q: want V1_0, V2_0 or V3_0", *triggerVersion)
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
	for _, l := range lambdas {
		u, err := url.Parse(l.value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasPrefix(l.name, "arn:") {
			return usageErrorf("--lambda %q: want ARN=URL, such as arn:aws:lambda:us-east-1:000000000000:function:claims=http://127.0.0.1:3001/", l.name+"="+l.value)
		}
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
	var ca *localCA
	if *useTLS {
		var caCreated bool
		if ca, caCreated, err = loadOrCreateCA(*keyFile); err != nil {
			return envErrorf("%v", err)
		}
		host, _, _ := net.SplitHostPort(ln.Addr().String())
		cert, err := ca.serverCert(host)
		if err != nil {
			return envErrorf("issuing the server certificate: %v", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		cfg.BaseURL = "https://" + ln.Addr().String()
		if caCreated {
			fmt.Fprintf(e.stderr, "dev-issuer: created the local certificate authority %s\n", ca.pemPath)
		}
	}
	p, err := cognitolocal.New(cfg)
	if err != nil {
		return usageErrorf("%v", err)
	}
	svc := p.Service()
	for _, l := range lambdas {
		svc.SetLambda(l.name, cognitolocal.NewHTTPFunction(l.value))
	}
	dev := &devServer{svc: svc, pool: p, log: log.New(e.stderr, "dev-issuer: ", log.LstdFlags)}
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
	svc.SetSave(dev.saveState)
	srv := &http.Server{Handler: dev, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	// Not guarded: net/http recovers a handler's panic per connection,
	// and Serve runs nothing else of ours.
	go func() { served <- srv.Serve(ln) }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	printDevIssuer(e.stdout, p, *keyFile, key.KeyID, created, dev.stateFile)
	if ca != nil {
		printTrust(e.stdout, ca.pemPath)
	}
	// Last, once everything above is written: whoever waits for this
	// line (a script, the tests) then has the whole banner.
	fmt.Fprint(e.stdout, "\nPress Ctrl+C to stop.\n")
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
	stateFile = cmp.Or(stateFile, "none (in memory)")
	base := p.Endpoint()
	keyState := "loaded"
	if created {
		keyState = "created"
	}
	serverFlag := ""
	if base != "http://"+defaultDevAddr {
		// With --tls the shell commands trust the local CA through
		// SSL_CERT_FILE, printed below.
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
`, p.PoolID(), p.Issuer(), p.JWKSURL(), p.Issuer(), base, base, base, cognitolocal.DefaultClientID,
		keyFile, keyState, kid, stateFile, p.Issuer(), cognitolocal.DefaultClientID, serverFlag, serverFlag, base)
}

// printTrust says how to make clients trust the local CA.
func printTrust(w io.Writer, caFile string) {
	fmt.Fprintf(w, `
Served over https with a certificate from the local CA %[1]s.
Trust it in your clients:

  NODE_EXTRA_CA_CERTS=%[1]s node app.js            # Node.js (aws-jwt-verify, the JS SDK)
  SSL_CERT_FILE=%[1]s go run .                      # Go on Linux, OpenSSL tools, Python's ssl
  AWS_CA_BUNDLE=%[1]s aws cognito-idp list-user-pools --max-results 10 --endpoint-url ...
  REQUESTS_CA_BUNDLE=%[1]s python3 app.py           # Python requests
  curl --cacert %[1]s ...
`, caFile)
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
