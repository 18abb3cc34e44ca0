package cognitojwt_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestVerifyAcceptsCognitoTokens(t *testing.T) {
	f := newFixture(t, nil)
	idf := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.IDToken })
	anyf := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.AnyToken })

	tests := []struct {
		name     string
		f        *fixture
		token    func(*cognitotest.Issuer) string
		wantUse  cognitojwt.TokenUse
		wantUser string
	}{
		{"access token", f, func(i *cognitotest.Issuer) string { return i.AccessToken(cognitotest.WithUsername("bob")) },
			cognitojwt.AccessToken, "bob"},
		{"machine token", f, func(i *cognitotest.Issuer) string { return i.MachineToken([]string{"orders/read"}) },
			cognitojwt.AccessToken, ""},
		{"ID token", idf, func(i *cognitotest.Issuer) string { return i.IDToken(cognitotest.WithUsername("carol")) },
			cognitojwt.IDToken, "carol"},
		{"any token: access", anyf, func(i *cognitotest.Issuer) string { return i.AccessToken(cognitotest.WithUsername("dan")) },
			cognitojwt.AccessToken, "dan"},
		{"any token: ID", anyf, func(i *cognitotest.Issuer) string { return i.IDToken(cognitotest.WithUsername("erin")) },
			cognitojwt.IDToken, "erin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.f.verify(tt.token(tt.f.iss))
			require.NoError(t, err)
			require.Equal(t, tt.wantUse, c.TokenUse)
			require.Equal(t, tt.wantUser, c.Username)
			require.Equal(t, testClient, c.ClientID)
			require.Equal(t, tt.f.iss.URL(), c.Issuer)
			require.Equal(t, primaryKey().KeyID, c.KeyID)
		})
	}
}

func TestVerifyTokenUse(t *testing.T) {
	access := newFixture(t, nil)
	id := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.IDToken })
	anyUse := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.AnyToken })

	tests := []struct {
		name  string
		f     *fixture
		token func(*cognitotest.Issuer) string
		want  error
	}{
		{"ID token to access verifier", access, func(i *cognitotest.Issuer) string { return i.IDToken() }, cognitojwt.ErrWrongTokenUse},
		{"access token to ID verifier", id, func(i *cognitotest.Issuer) string { return i.AccessToken() }, cognitojwt.ErrWrongTokenUse},
		{"missing on access", access, func(i *cognitotest.Issuer) string {
			return i.AccessToken(cognitotest.WithoutClaim("token_use"))
		}, cognitojwt.ErrWrongTokenUse},
		{"missing on ID", id, func(i *cognitotest.Issuer) string {
			return i.IDToken(cognitotest.WithoutClaim("token_use"))
		}, cognitojwt.ErrWrongTokenUse},
		{"missing on any", anyUse, func(i *cognitotest.Issuer) string {
			return i.AccessToken(cognitotest.WithoutClaim("token_use"))
		}, cognitojwt.ErrWrongTokenUse},
		{"empty", access, func(i *cognitotest.Issuer) string {
			return i.AccessToken(cognitotest.WithClaim("token_use", ""))
		}, cognitojwt.ErrWrongTokenUse},
		{"other case", access, func(i *cognitotest.Issuer) string {
			return i.AccessToken(cognitotest.WithClaim("token_use", "Access"))
		}, cognitojwt.ErrWrongTokenUse},
		{"refresh on any", anyUse, func(i *cognitotest.Issuer) string {
			return i.AccessToken(cognitotest.WithClaim("token_use", "refresh"))
		}, cognitojwt.ErrWrongTokenUse},
		{"the config word any", anyUse, func(i *cognitotest.Issuer) string {
			return i.AccessToken(cognitotest.WithClaim("token_use", "any"))
		}, cognitojwt.ErrWrongTokenUse},
		{"not a string", access, func(i *cognitotest.Issuer) string {
			return i.AccessToken(cognitotest.WithClaim("token_use", 1))
		}, cognitojwt.ErrMalformedToken},
		{"null", access, func(i *cognitotest.Issuer) string {
			return i.AccessToken(cognitotest.WithClaim("token_use", nil))
		}, cognitojwt.ErrMalformedToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.f.verify(tt.token(tt.f.iss))
			requireKind(t, tt.want, err)
			require.Nil(t, c)
		})
	}
}

func TestVerifyClient(t *testing.T) {
	access := newFixture(t, func(c *cognitojwt.Config) { c.ClientIDs = []string{testClient, "second-client"} })
	id := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.IDToken })
	anyUse := newFixture(t, func(c *cognitojwt.Config) { c.TokenUse = cognitojwt.AnyToken })
	anyClient := newFixture(t, func(c *cognitojwt.Config) {
		c.ClientIDs = nil
		c.AllowAnyClient = true
	})
	with := cognitotest.WithClaim
	without := cognitotest.WithoutClaim

	tests := []struct {
		name  string
		f     *fixture
		id    bool // mint an ID token rather than an access token
		opts  []cognitotest.TokenOption
		want  error
		wantC string
	}{
		{"access: listed client", access, false, nil, nil, testClient},
		{"access: second listed client", access, false, []cognitotest.TokenOption{cognitotest.WithClientID("second-client")}, nil, "second-client"},
		{"access: other client", access, false, []cognitotest.TokenOption{cognitotest.WithClientID("other")}, cognitojwt.ErrWrongClient, ""},
		{"access: client differs in case", access, false, []cognitotest.TokenOption{cognitotest.WithClientID(strings.ToUpper(testClient))}, cognitojwt.ErrWrongClient, ""},
		{"access: client with trailing space", access, false, []cognitotest.TokenOption{cognitotest.WithClientID(testClient + " ")}, cognitojwt.ErrWrongClient, ""},
		{"access: client_id missing", access, false, []cognitotest.TokenOption{without("client_id")}, cognitojwt.ErrWrongClient, ""},
		{"access: client_id empty", access, false, []cognitotest.TokenOption{with("client_id", "")}, cognitojwt.ErrWrongClient, ""},
		{"access: client_id not a string", access, false, []cognitotest.TokenOption{with("client_id", []string{testClient})}, cognitojwt.ErrMalformedToken, ""},
		{"access: client only in aud", access, false, []cognitotest.TokenOption{without("client_id"), with("aud", testClient)}, cognitojwt.ErrWrongClient, ""},
		{"access: foreign aud ignored", access, false, []cognitotest.TokenOption{with("aud", "someone-else")}, nil, testClient},
		{"access: aud array ignored", access, false, []cognitotest.TokenOption{with("aud", []string{"x", "y"})}, nil, testClient},
		{"ID: listed aud", id, true, nil, nil, testClient},
		{"ID: other aud", id, true, []cognitotest.TokenOption{cognitotest.WithClientID("other")}, cognitojwt.ErrWrongClient, ""},
		{"ID: aud missing", id, true, []cognitotest.TokenOption{without("aud")}, cognitojwt.ErrWrongClient, ""},
		{"ID: aud empty", id, true, []cognitotest.TokenOption{with("aud", "")}, cognitojwt.ErrWrongClient, ""},
		{"ID: aud missing, client_id right", id, true, []cognitotest.TokenOption{without("aud"), with("client_id", testClient)}, cognitojwt.ErrWrongClient, ""},
		{"ID: aud wrong, client_id right", id, true, []cognitotest.TokenOption{with("aud", "other"), with("client_id", testClient)}, cognitojwt.ErrWrongClient, ""},
		{"ID: aud array", id, true, []cognitotest.TokenOption{with("aud", []string{testClient})}, cognitojwt.ErrMalformedToken, ""},
		{"ID: aud number", id, true, []cognitotest.TokenOption{with("aud", 7)}, cognitojwt.ErrMalformedToken, ""},
		{"any: ID token checks aud", anyUse, true, []cognitotest.TokenOption{with("aud", "other"), with("client_id", testClient)}, cognitojwt.ErrWrongClient, ""},
		{"any: access token checks client_id", anyUse, false, []cognitotest.TokenOption{with("client_id", "other"), with("aud", testClient)}, cognitojwt.ErrWrongClient, ""},
		{"AllowAnyClient: other client", anyClient, false, []cognitotest.TokenOption{cognitotest.WithClientID("other")}, nil, "other"},
		{"AllowAnyClient: client_id missing", anyClient, false, []cognitotest.TokenOption{without("client_id")}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var token string
			if tt.id {
				token = tt.f.iss.IDToken(tt.opts...)
			} else {
				token = tt.f.iss.AccessToken(tt.opts...)
			}
			c, err := tt.f.verify(token)
			requireKind(t, tt.want, err)
			if tt.want == nil {
				require.Equal(t, tt.wantC, c.ClientID)
			}
		})
	}
}

// A real Cognito token can reach a server whose clock is behind
// Cognito's, stamped with iat a few seconds in the future: the default
// configuration accepts it.
func TestDefaultLeewayAcceptsIatAFewSecondsAhead(t *testing.T) {
	f := newFixture(t, nil)
	now := f.clk.Now()
	lw := int64(cognitojwt.DefaultLeeway / time.Second)
	for _, tc := range []struct {
		name string
		opt  cognitotest.TokenOption
		want error
	}{
		{"iat 2s ahead", cognitotest.WithIssuedAt(now.Add(2 * time.Second)), nil},
		{"iat at the default leeway", cognitotest.WithClaim("iat", now.Unix()+lw), nil},
		{"iat past the default leeway", cognitotest.WithClaim("iat", now.Unix()+lw+1), cognitojwt.ErrNotYetValid},
		{"exp 2s behind", cognitotest.WithClaim("exp", now.Unix()-2), nil},
		{"exp at the default leeway behind", cognitotest.WithClaim("exp", now.Unix()-lw), cognitojwt.ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.verify(f.iss.AccessToken(cognitotest.WithIssuedAt(now.Add(-time.Hour+time.Minute)), tc.opt))
			requireKind(t, tc.want, err)
		})
	}
}

// A negative Leeway is how a deployment with a trusted clock demands that
// no skew be allowed.
func TestNegativeLeewayAllowsNoSkew(t *testing.T) {
	f := newFixture(t, func(c *cognitojwt.Config) { c.Leeway = -time.Second })
	now := f.clk.Now()
	_, err := f.verify(f.iss.AccessToken(cognitotest.WithIssuedAt(now.Add(time.Second))))
	requireKind(t, cognitojwt.ErrNotYetValid, err)
	_, err = f.verify(f.iss.AccessToken(cognitotest.WithIssuedAt(now.Add(-time.Hour)), cognitotest.WithLifetime(time.Hour)))
	requireKind(t, cognitojwt.ErrExpired, err)
	_, err = f.verify(f.iss.AccessToken(cognitotest.WithIssuedAt(now)))
	requireKind(t, nil, err)
}

func TestVerifyLifetimeBoundaries(t *testing.T) {
	for _, leeway := range []time.Duration{0, 30 * time.Second} {
		t.Run("leeway "+leeway.String(), func(t *testing.T) {
			f := newFixture(t, func(c *cognitojwt.Config) { c.Leeway = exactLeeway(leeway) })
			now := f.clk.Now().Unix()
			lw := int64(leeway / time.Second)
			past := cognitotest.WithIssuedAt(f.clk.Now().Add(-2 * time.Hour))
			tests := []struct {
				name string
				opts []cognitotest.TokenOption
				want error
			}{
				{"exp at now-leeway", []cognitotest.TokenOption{past, cognitotest.WithClaim("exp", now-lw)}, cognitojwt.ErrExpired},
				{"exp a second later", []cognitotest.TokenOption{past, cognitotest.WithClaim("exp", now-lw+1)}, nil},
				{"exp half a second later", []cognitotest.TokenOption{past, cognitotest.WithClaim("exp", float64(now-lw)+0.5)}, nil},
				{"exp a second earlier", []cognitotest.TokenOption{past, cognitotest.WithClaim("exp", now-lw-1)}, cognitojwt.ErrExpired},
				{"exp zero", []cognitotest.TokenOption{past, cognitotest.WithClaim("exp", 0)}, cognitojwt.ErrExpired},
				{"exp negative", []cognitotest.TokenOption{past, cognitotest.WithClaim("exp", -1)}, cognitojwt.ErrExpired},
				{"exp missing", []cognitotest.TokenOption{cognitotest.WithoutClaim("exp")}, cognitojwt.ErrMalformedToken},
				{"exp as string", []cognitotest.TokenOption{cognitotest.WithClaim("exp", "9999999999")}, cognitojwt.ErrMalformedToken},
				{"exp null", []cognitotest.TokenOption{cognitotest.WithClaim("exp", nil)}, cognitojwt.ErrMalformedToken},
				{"exp at the last second of year 9999", []cognitotest.TokenOption{cognitotest.WithClaim("exp", int64(253402300799))}, nil},
				{"exp past year 9999", []cognitotest.TokenOption{cognitotest.WithClaim("exp", int64(253402300800))}, cognitojwt.ErrMalformedToken},
				{"exp far in the past", []cognitotest.TokenOption{cognitotest.WithClaim("exp", int64(-253402300800))}, cognitojwt.ErrMalformedToken},
				{"nbf at now+leeway", []cognitotest.TokenOption{cognitotest.WithClaim("nbf", now+lw)}, nil},
				{"nbf a second later", []cognitotest.TokenOption{cognitotest.WithClaim("nbf", now+lw+1)}, cognitojwt.ErrNotYetValid},
				{"nbf as string", []cognitotest.TokenOption{cognitotest.WithClaim("nbf", "0")}, cognitojwt.ErrMalformedToken},
				{"iat at now+leeway", []cognitotest.TokenOption{cognitotest.WithClaim("iat", now+lw)}, nil},
				{"iat a second later", []cognitotest.TokenOption{cognitotest.WithClaim("iat", now+lw+1)}, cognitojwt.ErrNotYetValid},
				{"iat null", []cognitotest.TokenOption{cognitotest.WithClaim("iat", nil)}, cognitojwt.ErrMalformedToken},
				{"iat missing", []cognitotest.TokenOption{cognitotest.WithoutClaim("iat")}, nil},
				{"auth_time in the future is no lifetime rule", []cognitotest.TokenOption{cognitotest.WithClaim("auth_time", now+3600)}, nil},
				{"auth_time as string", []cognitotest.TokenOption{cognitotest.WithClaim("auth_time", "x")}, cognitojwt.ErrMalformedToken},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := f.verify(f.iss.AccessToken(tt.opts...))
					requireKind(t, tt.want, err)
				})
			}
		})
	}
}

func TestVerifyIssuer(t *testing.T) {
	const replicated = "https://issuer-cognito-idp.us-east-1.amazonaws.com/" + cognitotest.DefaultPoolID
	tests := []struct {
		name       string
		additional []string
		iss        any // nil removes the claim
		want       error
	}{
		{"another pool", nil, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other", cognitojwt.ErrWrongIssuer},
		{"missing", nil, nil, cognitojwt.ErrWrongIssuer},
		{"empty", nil, "", cognitojwt.ErrWrongIssuer},
		{"not a string", nil, 42, cognitojwt.ErrMalformedToken},
		{"replicated-pool form, not configured", nil, replicated, cognitojwt.ErrWrongIssuer},
		{"replicated-pool form, configured", []string{replicated}, replicated, nil},
		{"configured form with trailing slash", []string{replicated}, replicated + "/", cognitojwt.ErrWrongIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *cognitojwt.Config) { c.AdditionalIssuers = tt.additional })
			opt := cognitotest.WithoutClaim("iss")
			if tt.iss != nil {
				opt = cognitotest.WithClaim("iss", tt.iss)
			}
			c, err := f.verify(f.iss.AccessToken(opt))
			requireKind(t, tt.want, err)
			if tt.want != nil {
				require.Zero(t, f.iss.JWKSFetches(), "a token of another issuer must not cause a fetch")
				return
			}
			require.Equal(t, tt.iss, c.Issuer)
		})
	}

	t.Run("own issuer with trailing slash", func(t *testing.T) {
		f := newFixture(t, nil)
		_, err := f.verify(f.iss.AccessToken(cognitotest.WithClaim("iss", f.iss.URL()+"/")))
		requireKind(t, cognitojwt.ErrWrongIssuer, err)
	})

	t.Run("unknown kid of another issuer makes no fetch", func(t *testing.T) {
		f := newFixture(t, nil)
		token := f.iss.AccessToken(cognitotest.WithKey(spareKey()),
			cognitotest.WithClaim("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Evil"))
		for range 5 {
			_, err := f.verify(token)
			requireKind(t, cognitojwt.ErrWrongIssuer, err)
		}
		require.Zero(t, f.iss.JWKSFetches())
	})
}

// rawToken signs exact header and payload bytes with the primary key.
func rawToken(header, payload string) string {
	return cognitotest.SignRaw(primaryKey().Private, []byte(header), []byte(payload))
}

func TestVerifyRejectsMalformedTokens(t *testing.T) {
	f := newFixture(t, nil)
	good := f.iss.AccessToken()
	parts := strings.Split(good, ".")
	hdr := `{"alg":"RS256","kid":"` + primaryKey().KeyID + `"}`
	payload, err := json.Marshal(f.iss.Claims("access"))
	require.NoError(t, err)
	// withMember inserts raw JSON members into the real payload.
	withMember := func(members string) string {
		return string(payload[:len(payload)-1]) + "," + members + "}"
	}
	nested := func(depth int) string {
		return strings.Repeat("[", depth) + strings.Repeat("]", depth)
	}
	withHeader := func(name string, value any) string {
		return f.iss.AccessToken(cognitotest.WithHeader(name, value))
	}
	enc := base64.RawURLEncoding.EncodeToString
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"control: the real token", good, nil},
		{"control: members reordered and spaced", rawToken(" { \"kid\" : \""+primaryKey().KeyID+"\" , \"alg\":\"RS256\" } ", string(payload)), nil},
		{"control: typ JWT", withHeader("typ", "JWT"), nil},
		{"control: typ at+jwt", withHeader("typ", "at+jwt"), nil},
		{"control: nesting at the limit", rawToken(hdr, withMember(`"x":`+nested(31))), nil},
		{"two segments", parts[0] + "." + parts[1], cognitojwt.ErrMalformedToken},
		{"four segments", good + "." + parts[2], cognitojwt.ErrMalformedToken},
		{"empty header segment", "." + parts[1] + "." + parts[2], cognitojwt.ErrMalformedToken},
		{"empty payload segment", parts[0] + ".." + parts[2], cognitojwt.ErrMalformedToken},
		{"empty signature segment", parts[0] + "." + parts[1] + ".", cognitojwt.ErrMalformedToken},
		{"standard base64 alphabet", parts[0] + "." + parts[1] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(parts[2]) + "+", cognitojwt.ErrMalformedToken},
		{"padding", parts[0] + "." + parts[1] + "." + parts[2] + "==", cognitojwt.ErrMalformedToken},
		{"space inside", parts[0] + " ." + parts[1] + "." + parts[2], cognitojwt.ErrMalformedToken},
		{"non-canonical trailing bits", parts[0] + "." + parts[1] + "." + flipUnusedBits(parts[2]), cognitojwt.ErrMalformedToken},
		{"non-canonical header", nonCanonicalHeader(hdr, string(payload)), cognitojwt.ErrMalformedToken},
		{"non-canonical payload", nonCanonicalPayload(hdr, string(payload)), cognitojwt.ErrMalformedToken},
		{"impossible segment length", parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])/4*4+1], cognitojwt.ErrMalformedToken},
		{"header is an array", rawToken(`["RS256"]`, string(payload)), cognitojwt.ErrMalformedToken},
		{"payload is a string", rawToken(hdr, `"claims"`), cognitojwt.ErrMalformedToken},
		{"payload is not JSON", enc([]byte(hdr)) + "." + enc([]byte("{")) + "." + parts[2], cognitojwt.ErrMalformedToken},
		{"invalid UTF-8 in payload", rawToken(hdr, withMember("\"x\":\"\xff\"")), cognitojwt.ErrMalformedToken},
		{"lone surrogate escape", rawToken(hdr, withMember(`"x":"\ud800"`)), cognitojwt.ErrMalformedToken},
		{"duplicate top-level claim", rawToken(hdr, withMember(`"sub":"other"`)), cognitojwt.ErrMalformedToken},
		{"duplicate claim spelled with an escape", rawToken(hdr, withMember(`"s\u0075b":"other"`)), cognitojwt.ErrMalformedToken},
		{"duplicate nested member", rawToken(hdr, withMember(`"x":{"a":1,"a":2}`)), cognitojwt.ErrMalformedToken},
		{"duplicate header member", rawToken(`{"alg":"RS256","alg":"RS256","kid":"`+primaryKey().KeyID+`"}`, string(payload)), cognitojwt.ErrMalformedToken},
		{"nesting over the limit", rawToken(hdr, withMember(`"x":`+nested(32))), cognitojwt.ErrMalformedToken},
		{"number beyond float64 in an extra claim", rawToken(hdr, withMember(`"x":1e400`)), cognitojwt.ErrMalformedToken},
		{"trailing data after payload", rawToken(hdr, string(payload)+"{}"), cognitojwt.ErrMalformedToken},
		{"typ JWS", withHeader("typ", "JOSE"), cognitojwt.ErrMalformedToken},
		{"typ not a string", withHeader("typ", 1), cognitojwt.ErrMalformedToken},
		{"kid not a string", withHeader("kid", 7), cognitojwt.ErrMalformedToken},
		{"alg not a string", withHeader("alg", []string{"RS256"}), cognitojwt.ErrMalformedToken},
		{"alg missing", withHeader("alg", nil), cognitojwt.ErrUnsupportedAlgorithm},
		{"alg none", withHeader("alg", "none"), cognitojwt.ErrUnsupportedAlgorithm},
		{"alg HS256", withHeader("alg", "HS256"), cognitojwt.ErrUnsupportedAlgorithm},
		{"alg RS512", withHeader("alg", "RS512"), cognitojwt.ErrUnsupportedAlgorithm},
		{"alg lower case", withHeader("alg", "rs256"), cognitojwt.ErrUnsupportedAlgorithm},
		{"alg with space", withHeader("alg", "RS256 "), cognitojwt.ErrUnsupportedAlgorithm},
		{"kid missing", withHeader("kid", nil), cognitojwt.ErrUnknownKey},
		{"kid empty", withHeader("kid", ""), cognitojwt.ErrUnknownKey},
		{"signature of other bytes", parts[0] + "." + parts[1] + "." + strings.Split(f.iss.AccessToken(), ".")[2], cognitojwt.ErrInvalidSignature},
		{"signed by an unpublished key under the real kid", f.iss.AccessToken(cognitotest.WithKey(spareKey()), cognitotest.WithHeader("kid", primaryKey().KeyID)), cognitojwt.ErrInvalidSignature},
		{"truncated signature", parts[0] + "." + parts[1] + "." + enc(sig[:len(sig)-1]), cognitojwt.ErrInvalidSignature},
	}
	for _, name := range []string{"crit", "b64", "zip", "cty", "enc", "jku", "x5u", "jwk", "x5c"} {
		tests = append(tests, struct {
			name  string
			token string
			want  error
		}{"header " + name, withHeader(name, "x"), cognitojwt.ErrMalformedToken})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := f.verify(tt.token)
			requireKind(t, tt.want, err)
			if tt.want != nil {
				require.Nil(t, c)
			}
		})
	}
}

// padTo3 pads JSON with trailing spaces so that its length is not a
// multiple of three and its base64url form has unused bits to flip.
func padTo3(json string) string {
	if len(json)%3 == 0 {
		json += " "
	}
	return json
}

func nonCanonicalHeader(header, payload string) string {
	p := strings.Split(rawToken(padTo3(header), payload), ".")
	return flipUnusedBits(p[0]) + "." + p[1] + "." + p[2]
}

func nonCanonicalPayload(header, payload string) string {
	p := strings.Split(rawToken(header, padTo3(payload)), ".")
	return p[0] + "." + flipUnusedBits(p[1]) + "." + p[2]
}

// flipUnusedBits changes the bits of the last base64url character that
// encode no data, giving another spelling of the same bytes.
func flipUnusedBits(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(seg)%4 == 0 {
		panic("segment has no unused bits")
	}
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last^1])
}

func TestVerifyTokenSize(t *testing.T) {
	f := newFixture(t, nil)
	token := f.iss.AccessToken()
	exact := newVerifier(t, f.iss, f.clk, func(c *cognitojwt.Config) { c.MaxTokenSize = len(token) })
	under := newVerifier(t, f.iss, f.clk, func(c *cognitojwt.Config) { c.MaxTokenSize = len(token) - 1 })

	_, err := exact.Verify(context.Background(), token)
	require.NoError(t, err)
	_, err = under.Verify(context.Background(), token)
	requireKind(t, cognitojwt.ErrMalformedToken, err)

	big := f.iss.AccessToken(cognitotest.WithClaim("pad", strings.Repeat("x", cognitojwt.DefaultMaxTokenSize)))
	_, err = f.verify(big)
	requireKind(t, cognitojwt.ErrMalformedToken, err)

	_, err = f.verify("")
	requireKind(t, cognitojwt.ErrNoToken, err)
}

// TestVerifyCheckOrder pins which error wins when a token breaks several
// rules, following the order size, shape, header, payload, issuer, key,
// signature, lifetime, token_use, client.
func TestVerifyCheckOrder(t *testing.T) {
	f := newFixture(t, nil)
	other := "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"
	expired := []cognitotest.TokenOption{
		cognitotest.WithIssuedAt(f.clk.Now().Add(-2 * time.Hour)), cognitotest.WithLifetime(time.Hour),
	}
	forge := func(token string) string {
		p := strings.Split(token, ".")
		return p[0] + "." + p[1] + "." + strings.Split(f.iss.AccessToken(), ".")[2]
	}
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"bad alg before bad payload", rawToken(`{"alg":"none","kid":"k"}`, `[]`), cognitojwt.ErrUnsupportedAlgorithm},
		{"bad payload type before issuer", f.iss.AccessToken(cognitotest.WithClaim("iss", other), cognitotest.WithClaim("exp", "soon")), cognitojwt.ErrMalformedToken},
		{"issuer before unknown key", f.iss.AccessToken(cognitotest.WithClaim("iss", other), cognitotest.WithKey(spareKey())), cognitojwt.ErrWrongIssuer},
		{"issuer before signature", forge(f.iss.AccessToken(cognitotest.WithClaim("iss", other))), cognitojwt.ErrWrongIssuer},
		{"signature before expiry", forge(f.iss.AccessToken(expired...)), cognitojwt.ErrInvalidSignature},
		{"expiry before token_use", f.iss.AccessToken(append(expired, cognitotest.WithClaim("token_use", "id"))...), cognitojwt.ErrExpired},
		{"not-yet-valid before token_use", f.iss.AccessToken(cognitotest.WithClaim("nbf", f.clk.Now().Add(time.Hour).Unix()), cognitotest.WithClaim("token_use", "id")), cognitojwt.ErrNotYetValid},
		{"token_use before client", f.iss.AccessToken(cognitotest.WithClaim("token_use", "id"), cognitotest.WithClientID("other")), cognitojwt.ErrWrongTokenUse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.verify(tt.token)
			requireKind(t, tt.want, err)
		})
	}
}

// TestVerifyIntoFillsTheCallersClaims: VerifyInto gives what Verify
// gives, a cache hit allocates nothing, what one caller does to its
// struct reaches nobody else's, and a refused token leaves nothing in the
// struct: not an expired one, not a revoked one answered by the cache.
func TestVerifyIntoFillsTheCallersClaims(t *testing.T) {
	revoked := &revokeAfter{}
	f := newFixture(t, func(c *cognitojwt.Config) { c.Revocations = revoked })
	ctx := context.Background()
	tok := f.iss.AccessToken(cognitotest.WithLifetime(time.Hour), cognitotest.WithGroups("readers"))
	want, err := f.verify(tok)
	require.NoError(t, err)

	var dst cognitojwt.Claims
	require.NoError(t, f.v.VerifyInto(ctx, tok, &dst))
	require.Equal(t, *want, dst)
	allocs := testing.AllocsPerRun(100, func() {
		if f.v.VerifyInto(ctx, tok, &dst) != nil {
			t.Fatal("the cached token is refused")
		}
	})
	require.Zero(t, allocs)

	dst = cognitojwt.Claims{Username: "mallory", Groups: cognitojwt.NamesOf("admin")}
	var again cognitojwt.Claims
	require.NoError(t, f.v.VerifyInto(ctx, tok, &again))
	require.Equal(t, *want, again)
	require.True(t, again.InGroup("readers"))

	revoked.on.Store(true)
	requireKind(t, cognitojwt.ErrRevoked, f.v.VerifyInto(ctx, tok, &again))
	require.Equal(t, cognitojwt.Claims{}, again)
	revoked.on.Store(false)

	dst = *want
	f.clk.Advance(2 * time.Hour)
	requireKind(t, cognitojwt.ErrExpired, f.v.VerifyInto(ctx, tok, &dst))
	require.Equal(t, cognitojwt.Claims{}, dst)
	requireKind(t, cognitojwt.ErrMalformedToken, f.v.VerifyInto(ctx, "not.a.token", &dst))
	requireKind(t, cognitojwt.ErrInvalidConfig, f.v.VerifyInto(ctx, tok, nil))
}
