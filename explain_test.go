package cognitojwt_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// lastRejection serves token to h and returns the middleware's record of
// the rejection.
func lastRejection(t *testing.T, logs *bytes.Buffer, h http.Handler, token string) map[string]any {
	t.Helper()
	logs.Reset()
	w := serve(h, bearer(token))
	require.NotEqual(t, http.StatusOK, w.Code)
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		if rec["msg"] == "cognitojwt: request rejected" {
			return rec
		}
	}
	t.Fatalf("no rejection logged: %s", logs)
	return nil
}

func debugLogger(buf *bytes.Buffer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: level}))
}

func TestDebugLogNamesExpectedAndActual(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, nil)
	h := cognitojwt.Middleware(f.v, cognitojwt.WithLogger(debugLogger(&logs, slog.LevelDebug)))(&probe{})

	rec := lastRejection(t, &logs, h, f.iss.AccessToken(cognitotest.WithClaim("iss", "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Other1")))
	require.Equal(t, "wrong_issuer", rec["kind"])
	require.Equal(t, []any{f.v.Issuer()}, rec["expected_issuers"])
	require.Equal(t, "the Cognito user pool us-west-2_Other1", rec["issuer"])

	rec = lastRejection(t, &logs, h, f.iss.AccessToken(cognitotest.WithClaim("iss", "https://idp.example.com/private-path")))
	require.Equal(t, "not a Cognito user pool's issuer", rec["issuer"])
	require.NotContains(t, logs.String(), "private-path")

	rec = lastRejection(t, &logs, h, f.iss.AccessToken(cognitotest.WithClientID("other-client")))
	require.Equal(t, "wrong_client", rec["kind"])
	require.Equal(t, []any{testClient}, rec["expected_clients"])
	require.Equal(t, "not a Cognito app client ID", rec["client"])
	require.NotContains(t, logs.String(), "other-client", "a client id is a claim value")

	rec = lastRejection(t, &logs, h, f.iss.IDToken())
	require.Equal(t, "wrong_token_use", rec["kind"])
	require.Equal(t, "access", rec["expected_token_use"])
	require.Equal(t, "id", rec["token_use"])

	// Above debug level the record stays as it was.
	h = cognitojwt.Middleware(f.v, cognitojwt.WithLogger(debugLogger(&logs, slog.LevelInfo)))(&probe{})
	rec = lastRejection(t, &logs, h, f.iss.IDToken())
	require.NotContains(t, rec, "expected_token_use")
	require.NotContains(t, rec, "token_use")
}

// TestDebugLogNamesACognitoShapedClient: the actual client is named when
// it has the shape of a Cognito app client ID (ClientIdType in the
// Cognito API: 1 to 128 of letters, digits, "_" and "+"), the value an
// operator compares with Config.ClientIDs; any other value is not logged.
func TestDebugLogNamesACognitoShapedClient(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, nil)
	h := cognitojwt.Middleware(f.v, cognitojwt.WithLogger(debugLogger(&logs, slog.LevelDebug)))(&probe{})
	for _, tt := range []struct {
		client string
		named  bool
	}{
		{"4mrv1ug2hf0kb1bvm7bdsqy0it", true},
		{"Mixed_Case+Plus09", true},
		{"a", true},
		{strings.Repeat("b", 128), true},
		{strings.Repeat("b", 129), false},
		{"client-with-dashes", false},
		{"client.with.dots", false},
		{"client with spaces", false},
		{"clientwithaccént", false},
		{"client/path", false},
	} {
		t.Run(tt.client, func(t *testing.T) {
			rec := lastRejection(t, &logs, h, f.iss.AccessToken(cognitotest.WithClientID(tt.client)))
			require.Equal(t, "wrong_client", rec["kind"])
			if tt.named {
				require.Equal(t, tt.client, rec["client"])
				return
			}
			require.Equal(t, "not a Cognito app client ID", rec["client"])
			require.NotContains(t, logs.String(), tt.client)
		})
	}
}

func TestIDTokenRefusalsSayToken(t *testing.T) {
	f := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.IDToken })
	h := cognitojwt.Middleware(f.v)(&probe{})
	w := serve(h, bearer(f.iss.IDToken(cognitotest.WithLifetime(-time.Hour))))
	requireResponse(t, invalidToken("The token expired."), w)
	w = serve(h, bearer("not-a-jwt"))
	requireResponse(t, invalidToken("The token is malformed."), w)

	// Access-token verifiers keep their wording.
	a := newFixture(t, nil)
	w = serve(cognitojwt.Middleware(a.v)(&probe{}), bearer(a.iss.AccessToken(cognitotest.WithLifetime(-time.Hour))))
	requireResponse(t, invalidToken("The access token expired."), w)
}

// TestEveryTokenTextSaysTokenForIDTokens: no fixed text calls an ID
// token an access token, on a route of ID tokens or of either kind.
func TestEveryTokenTextSaysTokenForIDTokens(t *testing.T) {
	for _, use := range []cognitojwt.TokenUse{cognitojwt.IDToken, cognitojwt.AnyToken} {
		t.Run(string(use), func(t *testing.T) {
			f := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = use })
			h := cognitojwt.Middleware(f.v)(&probe{})
			future := f.clk.Now().Add(time.Hour)
			for _, tt := range []struct {
				token string
				want  string
			}{
				{f.iss.IDToken(cognitotest.WithLifetime(-time.Hour)), "The token expired."},
				{f.iss.IDToken(cognitotest.WithIssuedAt(future), cognitotest.WithExpiresAt(future.Add(time.Hour))), "The token is not yet valid."},
				{"not-a-jwt", "The token is malformed."},
			} {
				requireResponse(t, invalidToken(tt.want), serve(h, bearer(tt.token)))
			}

			revoked := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = use; c.Revocations = revokeAll{} })
			w := serve(cognitojwt.Middleware(revoked.v)(&probe{}), bearer(revoked.iss.IDToken()))
			requireResponse(t, invalidToken("The token has been revoked."), w)
		})
	}
}

func TestNewWithANonCognitoPoolIDSaysToSetIssuer(t *testing.T) {
	_, err := cognitojwt.New(cognitojwt.Config{UserPoolID: "local_Dev", ClientIDs: []string{"c"}})
	requireKind(t, cognitojwt.ErrInvalidConfig, err)
	require.Contains(t, err.Error(), "set Config.Issuer")
}
