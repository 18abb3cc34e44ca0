package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

const mintHelp = `Mint a token and print it: from a running dev-issuer (POST SERVER/mint),
or with --offline straight from the dev-issuer's key file, no server needed.

Offline tokens carry the issuer http://ADDR/POOL, so give the --addr and
--pool the dev-issuer that will serve the key runs with.

Tokens carry what Cognito puts in them: user attributes (--attr) and other
claims (--claim) go into the ID token only. A real access token carries
such claims only when a pre-token-generation trigger adds them; say so with
--trigger-claim.

Examples:
  TOKEN=$(cognitojwt mint --username alice --groups admin,editors)
  cognitojwt mint --token-use id --attr tenant_id=acme --claim given_name=Alice
  cognitojwt mint --trigger-claim department=sales --trigger-claim birthdate=1990-04-01
  cognitojwt mint --machine --scopes orders/read --client-id batch-job
  cognitojwt mint --lifetime -5m            # an expired token
  cognitojwt mint --offline --key-file ./dev-key.json`

func runMint(e *env, args []string) error {
	fs := newFlagSet(e, "mint", "", mintHelp)
	server := fs.String("server", "http://"+defaultDevAddr, "base `URL` of the running dev-issuer")
	offline := fs.Bool("offline", false, "sign with --key-file instead of asking a running dev-issuer")
	keyFile := fs.String("key-file", defaultKeyFile(), "with --offline: `path` of the dev-issuer's key file")
	addr := fs.String("addr", defaultDevAddr, "with --offline: the dev-issuer's `host:port`, part of the issuer")
	pool := fs.String("pool", defaultDevPool, "with --offline: the dev-issuer's pool `ID`, part of the issuer")
	var groups, scopes listFlag
	var attrs, claims, triggerClaims pairFlag
	username := fs.String("username", defaultUsername, "`name` of the user (username / cognito:username)")
	email := fs.String("email", "", "email `address` of ID tokens (default USERNAME@example.com)")
	fs.Var(&groups, "groups", "cognito:groups `names`, comma-separated or repeated")
	fs.Var(&scopes, "scopes", "access token `scopes`, comma-separated or repeated\n(default aws.cognito.signin.user.admin)")
	fs.Var(&attrs, "attr", "user attribute `NAME=VALUE` of the ID token: custom:NAME unless NAME is\na standard attribute such as given_name (repeatable)")
	fs.Var(&claims, "claim", "any claim `NAME=VALUE` of the ID token, VALUE read as JSON if it parses\n(repeatable)")
	fs.Var(&triggerClaims, "trigger-claim", "claim `NAME=VALUE` a pre-token-generation trigger adds to the access\ntoken (claimsToAddOrOverride), VALUE read as JSON if it parses (repeatable)")
	clientID := fs.String("client-id", cognitolocal.DefaultClientID, "app client `ID`: client_id of access tokens, aud of ID tokens")
	tokenUse := fs.String("token-use", "access", "`kind` of token to print: access or id")
	lifetime := fs.Duration("lifetime", defaultLifetime, "time until exp, at most 24h; negative mints an expired token")
	machine := fs.Bool("machine", false, "mint a client-credentials (machine) access token: no user, --scopes required")
	asJSON := fs.Bool("json", false, "print the whole answer {access_token, id_token, token_type, expires_in, issuer}")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *tokenUse != "access" && *tokenUse != "id" {
		return usageErrorf("--token-use %q: want access or id", *tokenUse)
	}
	req := mintRequest{
		Username: *username,
		Email:    *email,
		Groups:   groups,
		Scopes:   scopes,
		ClientID: *clientID,
		TokenUse: *tokenUse,
		Lifetime: lifetime.String(),
		Machine:  *machine,
	}
	if *asJSON && !*machine {
		req.TokenUse = "" // both, as the answer shows both
	}
	for _, a := range attrs {
		if req.Attributes == nil {
			req.Attributes = map[string]string{}
		}
		req.Attributes[a.name] = a.value
	}
	req.Claims = claims.values()
	req.TriggerClaims = triggerClaims.values()

	var resp *mintResponse
	var err error
	if *offline {
		resp, err = mintOffline(e, *keyFile, *addr, *pool, req)
	} else {
		resp, err = mintRemote(*server, req)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(resp)
	}
	token := resp.AccessToken
	if *tokenUse == "id" {
		token = resp.IDToken
	}
	if token == "" {
		return envErrorf("the dev-issuer answered without a %s token", *tokenUse)
	}
	fmt.Fprintln(e.stdout, token)
	return nil
}

func mintOffline(e *env, keyFile, addr, pool string, req mintRequest) (*mintResponse, error) {
	if err := checkLoopbackAddr(addr); err != nil {
		return nil, err
	}
	if !poolNamePattern.MatchString(pool) {
		return nil, usageErrorf("--pool %q: use 1 to 55 letters, digits, _ or -", pool)
	}
	key, err := loadKey(keyFile, e.stderr)
	if err != nil {
		return nil, envErrorf("%v\n  start \"cognitojwt dev-issuer\" once to create the key file, or give --key-file", err)
	}
	host, port, _ := net.SplitHostPort(addr)
	if host == "localhost" {
		// The dev-issuer names itself by the address it listens on.
		host = "127.0.0.1"
	}
	// A pool that is never served: its issuer is the dev-issuer's.
	p, err := cognitolocal.New(cognitolocal.Config{PoolID: pool, BaseURL: "http://" + net.JoinHostPort(host, port), Key: key})
	if err != nil {
		return nil, envErrorf("%v", err)
	}
	resp, err := mintTokens(p, req)
	if isBadRequest(err) {
		return nil, usageErrorf("%v", err)
	}
	return resp, err
}

func mintRemote(server string, req mintRequest) (*mintResponse, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageErrorf("--server %q is not an http(s) URL", server)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, u.JoinPath("mint").String(), bytes.NewReader(body))
	if err != nil {
		return nil, usageErrorf("--server: %v", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hresp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		return nil, envErrorf("cannot reach the dev-issuer at %s: %v\n  start it with \"cognitojwt dev-issuer\", or mint from its key file with --offline", server, err)
	}
	defer hresp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(hresp.Body, 1<<20))
	if err != nil {
		return nil, envErrorf("reading the dev-issuer's answer: %v", err)
	}
	if hresp.StatusCode != http.StatusOK {
		var problem struct {
			Description string `json:"error_description"`
		}
		if json.Unmarshal(raw, &problem) != nil || problem.Description == "" {
			return nil, envErrorf("%s answered HTTP %d; is it a cognitojwt dev-issuer?", server, hresp.StatusCode)
		}
		if hresp.StatusCode == http.StatusBadRequest {
			return nil, usageErrorf("%s", problem.Description)
		}
		return nil, envErrorf("the dev-issuer answered HTTP %d: %s", hresp.StatusCode, problem.Description)
	}
	var resp mintResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, envErrorf("the dev-issuer's answer is not JSON: %v", err)
	}
	return &resp, nil
}
