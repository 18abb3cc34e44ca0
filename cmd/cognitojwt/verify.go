package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt"
)

const verifyHelp = `Verify a token as the cognitojwt library does: the RS256 signature against
the user pool's JWKS, then the issuer, the expiry, token_use and the app
client. Prints the verified claims, or the exact reason for the rejection
and exits 1.

The keys come from https://cognito-idp.REGION.amazonaws.com/POOL/.well-known/jwks.json
unless --issuer or --jwks-url point elsewhere, such as a dev-issuer.

TOKEN may be "-" to read it from standard input; a leading "Bearer " is
ignored.

Examples:
  cognitojwt verify --pool eu-west-1_AbC123 --client-id 1example23456789 "$TOKEN"
  cognitojwt verify --issuer http://127.0.0.1:9229/local_Dev --client-id local-client - < token.txt`

func runVerify(e *env, args []string) error {
	fs := newFlagSet(e, "verify", "TOKEN|-", verifyHelp)
	var clients listFlag
	pool := fs.String("pool", "", "user-pool `ID` such as eu-west-1_AbC123 (or give --issuer)")
	fs.Var(&clients, "client-id", "accepted app client `ID`s: client_id of access tokens, aud of ID tokens\n(repeat the flag or separate with commas)")
	anyClient := fs.Bool("any-client", false, "accept every app client of the pool instead of --client-id")
	tokenUse := fs.String("token-use", "access", "accepted token `kind`: access, id or any")
	issuer := fs.String("issuer", "", "issuer `URL` tokens must carry, instead of the one derived from --pool\n(https, or http to loopback)")
	jwksURL := fs.String("jwks-url", "", "JWKS `URL` (default: issuer + /.well-known/jwks.json)")
	leeway := fs.Duration("leeway", cognitojwt.DefaultLeeway, "clock skew allowed on exp, nbf and iat; negative allows none")
	timeout := fs.Duration("timeout", 10*time.Second, "time allowed for fetching the JWKS")
	asJSON := fs.Bool("json", false, "print one JSON object {verified, token_use, claims} or {verified, error, detail}")
	var quiet, verbose bool
	fs.BoolVar(&quiet, "quiet", false, "print nothing; the exit code tells")
	fs.BoolVar(&quiet, "q", false, "short for --quiet")
	fs.BoolVar(&verbose, "verbose", false, "log the JWKS fetch to standard error")
	fs.BoolVar(&verbose, "v", false, "short for --verbose")
	token, err := parseToken(e, fs, args)
	if err != nil {
		return err
	}
	if *pool == "" && *issuer == "" {
		return usageErrorf("give the user pool with --pool ID, or its issuer with --issuer URL")
	}
	if len(clients) == 0 && !*anyClient {
		return usageErrorf("give the accepted app client with --client-id ID (or --any-client to accept all)")
	}
	if *timeout <= 0 {
		return usageErrorf("--timeout must be positive")
	}
	cfg := cognitojwt.Config{
		UserPoolID:     *pool,
		ClientIDs:      clients,
		AllowAnyClient: *anyClient,
		TokenUse:       cognitojwt.TokenUse(*tokenUse),
		Leeway:         *leeway,
		Issuer:         *issuer,
		JWKSURL:        *jwksURL,
		FetchTimeout:   *timeout,
		CacheSize:      -1,
	}
	if verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	v, err := cognitojwt.New(cfg)
	if err != nil {
		return usageErrorf("%v", strings.TrimPrefix(err.Error(), "cognitojwt: "))
	}
	keysURL := cmp.Or(cfg.JWKSURL, v.Issuer()+"/.well-known/jwks.json")
	ctx, cancel := context.WithTimeout(context.Background(), *timeout+time.Second)
	defer cancel()
	claims, err := v.Verify(ctx, token)
	if err != nil {
		return reportRejection(e, err, token, v, keysURL, clients, quiet, *asJSON)
	}
	switch {
	case quiet:
	case *asJSON:
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Verified bool              `json:"verified"`
			TokenUse string            `json:"token_use"`
			Claims   json.RawMessage   `json:"claims"`
			Times    map[string]string `json:"times"`
		}{true, string(claims.TokenUse), claims.RawPayload(), timesJSON(claims.RawPayload())})
	default:
		w := e.stdout
		fmt.Fprintf(w, "VERIFIED %s token: signature (RS256, kid %s), issuer, lifetime, token_use and client checked.\n\n", claims.TokenUse, claims.KeyID)
		writeJSON(w, "Claims", claims.RawPayload())
		fmt.Fprintln(w)
		writeTimes(w, claims.RawPayload(), time.Now())
	}
	return nil
}

func reportRejection(e *env, err error, token string, v *cognitojwt.Verifier, keysURL string, clients []string, quiet, asJSON bool) error {
	name := cognitojwt.ErrorCode(err)
	if asJSON && !quiet {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			Verified bool   `json:"verified"`
			Error    string `json:"error"`
			Detail   string `json:"detail"`
		}{false, name, err.Error()})
	}
	if errors.Is(err, cognitojwt.ErrKeysUnavailable) {
		return envErrorf("signing keys unavailable from %s\n  %v", keysURL, err)
	}
	msg := fmt.Sprintf("token rejected (%s): %v", name, err)
	// The token is the user's own, so its values may be shown to help them.
	d, _ := decodeToken(token)
	for _, hint := range hints(err, d, v, keysURL, clients, time.Now()) {
		msg += "\n  " + hint
	}
	return rejectedErrorf("%s", msg)
}

func hints(err error, d *decodedToken, v *cognitojwt.Verifier, keysURL string, clients []string, now time.Time) []string {
	if d == nil || d.payload == nil {
		return nil
	}
	p := d.payload
	switch {
	case errors.Is(err, cognitojwt.ErrWrongIssuer):
		iss, _ := claimString(p, "iss")
		return []string{
			fmt.Sprintf("token iss: %q", iss),
			fmt.Sprintf("expected:  %q (set with --pool or --issuer)", v.Issuer()),
		}
	case errors.Is(err, cognitojwt.ErrWrongClient):
		use, _ := claimString(p, "token_use")
		claim := "client_id"
		if use == "id" {
			claim = "aud"
		}
		got, ok := claimString(p, claim)
		if !ok {
			return []string{fmt.Sprintf("the token has no string %s claim", claim)}
		}
		return []string{fmt.Sprintf("token %s: %q; accepted (--client-id): %q", claim, got, clients)}
	case errors.Is(err, cognitojwt.ErrWrongTokenUse):
		switch use, _ := claimString(p, "token_use"); use {
		case "id":
			return []string{"this is an ID token: verify it with --token-use id"}
		case "access":
			return []string{"this is an access token: verify it with --token-use access"}
		case "":
			return []string{"the token has no token_use: it is not a Cognito user-pool token"}
		default:
			return []string{fmt.Sprintf("token_use is %q, which Cognito never issues", use)}
		}
	case errors.Is(err, cognitojwt.ErrExpired):
		if t, ok := claimTime(p, "exp"); ok {
			return []string{fmt.Sprintf("exp %s (%s), %s", t.Local().Format(localLayout), t.UTC().Format(utcLayout), relative("exp", t, now))}
		}
	case errors.Is(err, cognitojwt.ErrNotYetValid):
		var out []string
		for _, name := range []string{"nbf", "iat"} {
			if t, ok := claimTime(p, name); ok && t.After(now) {
				out = append(out, fmt.Sprintf("%s is %s in the future: is this machine's clock right? --leeway allows for skew", name, shortDuration(t.Sub(now).Round(time.Second))))
			}
		}
		return out
	case errors.Is(err, cognitojwt.ErrUnknownKey):
		kid, _ := claimString(d.header, "kid")
		return []string{fmt.Sprintf("the key set at %s has no key %q: the token is from another pool, or its key was withdrawn", keysURL, kid)}
	case errors.Is(err, cognitojwt.ErrUnsupportedAlgorithm):
		alg, _ := claimString(d.header, "alg")
		return []string{fmt.Sprintf("header alg is %q; Cognito signs with RS256 only", alg)}
	case errors.Is(err, cognitojwt.ErrInvalidSignature):
		return []string{"the token was changed after signing, or signed by another key under the same kid"}
	}
	return nil
}
