package cognitojwt

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cognitojwt/cognitojwt/internal/poolid"
)

// Why a request was refused, for the middleware's log at debug level.
// Policies are plain functions that answer yes or no; to say why one said
// no, a guard whose policy refused asks it again with an explanation
// opened for those claims, and the policies built here note their reason
// into it. Nothing is noted, and nothing costs more than an atomic load,
// unless a refusal is being explained.

// explaining counts the explanations open; policies look at it before
// looking for theirs.
var explaining atomic.Int32

// explanations maps the *Claims being explained to its explanation.
var explanations sync.Map

type explanation struct {
	mu     sync.Mutex
	notes  []string
	claims []string // claims the refusing policies read
}

// deny notes why a policy built here refused c (the parts of why,
// joined only then, so that a refusal nobody explains costs no
// allocation), and which claim it read ("" for none), when the refusal is
// being explained; it returns false for the policy to return.
func deny(c *Claims, claim string, why ...string) bool {
	if explaining.Load() == 0 || c == nil {
		return false
	}
	if e, ok := explanations.Load(c); ok {
		e := e.(*explanation)
		e.mu.Lock()
		e.notes = append(e.notes, strings.Join(why, ""))
		if claim != "" {
			e.claims = append(e.claims, claim)
		}
		e.mu.Unlock()
	}
	return false
}

// explain asks p again about c with an explanation open, and returns the
// log attributes saying why it refused: each policy's reason and, for an
// access token refused over a claim Cognito puts only in ID tokens, a hint
// that says so. Reasons name policies and claims, never claim values.
func explain(r *http.Request, c *Claims, p RequestPolicy) []slog.Attr {
	if p == nil {
		return []slog.Attr{slog.String("why", "no policy: a nil policy refuses everything")}
	}
	e := &explanation{}
	explaining.Add(1)
	explanations.Store(c, e)
	p(r, c)
	explanations.Delete(c)
	explaining.Add(-1)
	e.mu.Lock()
	defer e.mu.Unlock()
	why := cmp.Or(strings.Join(e.notes, "; "), "a policy of the caller's own refused")
	attrs := []slog.Attr{slog.String("why", why)}
	if c.TokenUse == AccessToken {
		for _, claim := range e.claims {
			if idTokenOnly(claim) {
				attrs = append(attrs, slog.String("hint", "access tokens carry no "+claim+
					": Cognito puts it in ID tokens only; verify the ID token for this route, or add the claim to access tokens with a pre token generation trigger"))
				break
			}
		}
	}
	return attrs
}

// idTokenOnly reports a claim Cognito puts in ID tokens and not in access
// tokens: the user's attributes, custom ones included.
func idTokenOnly(claim string) bool {
	if strings.HasPrefix(claim, "custom:") || strings.HasPrefix(claim, "dev:") {
		return true
	}
	switch claim {
	case "email", "email_verified", "phone_number", "phone_number_verified", "birthdate",
		"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "gender", "zoneinfo", "locale", "updated_at", "address",
		"identities", "cognito:username", "cognito:roles", "cognito:preferred_role", "aud", "at_hash", "nonce":
		return true
	}
	return false
}

// debugEnabled reports whether l logs at debug level for ctx.
func debugEnabled(ctx context.Context, l *slog.Logger) bool {
	return l != nil && l.Enabled(ctx, slog.LevelDebug)
}

// mismatch returns, when m logs at debug level and err says the token is
// of the wrong issuer, client or token_use, the expected and the actual
// values: the first place an operator looks when a pool, an app client or
// a route's token kind was configured wrong. The actual ones are read from
// the token as it came, unverified, and cut short.
func (m *middleware) mismatch(r *http.Request, token string, err error) []slog.Attr {
	if token == "" || !debugEnabled(r.Context(), m.logger) {
		return nil
	}
	b, ok := m.authn.(bearer)
	if !ok {
		return nil
	}
	v, ok := b.v.(*Verifier)
	if !ok {
		return nil
	}
	var attrs []slog.Attr
	var p parsedToken
	parsed := parseToken(token, &p) == nil
	switch errorKind(err) {
	case ErrWrongIssuer:
		attrs = append(attrs, slog.Any("expected_issuers", v.issuers))
		if parsed {
			attrs = append(attrs, slog.String("issuer", issuerKind(p.claims.Issuer)))
		}
	case ErrWrongClient:
		if v.anyClient {
			attrs = append(attrs, slog.String("expected_clients", "any"))
		} else {
			attrs = append(attrs, slog.Any("expected_clients", v.clients))
		}
		if parsed {
			attrs = append(attrs, slog.String("client", clientKind(p.claims.ClientID)))
		}
	case ErrWrongTokenUse:
		attrs = append(attrs, slog.String("expected_token_use", string(v.use)))
		if parsed {
			attrs = append(attrs, slog.String("token_use", shorten(string(p.claims.TokenUse))))
		}
	}
	return attrs
}

// shorten cuts a value read from an unverified token to what a log line
// needs.
func shorten(s string) string {
	const most = 32
	if len(s) > most {
		return s[:most] + "…"
	}
	return s
}

// issuerKind describes a token's issuer without repeating an arbitrary
// value: a Cognito user pool's issuer names its pool ID, the identifier
// the configuration is compared with; anything else is only said to be
// no Cognito pool's.
func issuerKind(iss string) string {
	if iss == "" {
		return "none"
	}
	for _, prefix := range []string{"https://cognito-idp.", "https://issuer-cognito-idp."} {
		rest, ok := strings.CutPrefix(iss, prefix)
		if !ok {
			continue
		}
		_, pool, ok := strings.Cut(rest, "/")
		if _, _, err := poolid.Split(pool); ok && err == nil {
			return "the Cognito user pool " + pool
		}
	}
	return "not a Cognito user pool's issuer"
}

// clientKind names a token's app client when the value has the shape of
// a Cognito app client ID (the API's ClientIdType: 1 to 128 of letters,
// digits, "_" and "+"), which is what the operator compares with
// Config.ClientIDs; anything else is only said not to be one, so that an
// arbitrary claim value never reaches the log.
func clientKind(id string) string {
	if id == "" {
		return "none"
	}
	if !cognitoClientID(id) {
		return "not a Cognito app client ID"
	}
	return id
}

// cognitoClientID reports whether id matches ClientIdType, [\w+]{1,128}
// with \w the ASCII word characters.
func cognitoClientID(id string) bool {
	if len(id) < 1 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '+':
		default:
			return false
		}
	}
	return true
}
