package cognitojwt

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cognitojwt/cognitojwt/internal/poolid"
)

// Why a request was refused, for the middleware's log at debug level:
// the expected and actual issuer, client and token use. Why a guard's
// policy refused is package authz's to say.

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
