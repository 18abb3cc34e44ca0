package awstest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// localClient is the app client every pool starts with.
const localClient = "local-client"

// fixture is one running pool and the clients that talk to it as an
// application would.
type fixture struct {
	pool *cognitolocal.Server
	// idp is the AWS SDK's Cognito client pointed at the pool.
	idp *cip.Client
	// web follows no redirects, so tests see each Managed Login hop.
	web *http.Client
	// sdk is the HTTP client of the SDK's Cognito clients.
	sdk *http.Client
	tr  *http.Transport
}

// newFixture starts a pool on a free loopback port and stops it, and the
// clients' connections, when the test ends.
func newFixture(t *testing.T, cfg cognitolocal.Config) *fixture {
	t.Helper()
	srv, err := cognitolocal.Start("127.0.0.1:0", cfg)
	require.NoError(t, err)
	tr := &http.Transport{}
	f := &fixture{pool: srv, tr: tr, sdk: &http.Client{Transport: ownBody{tr}}}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		require.NoError(t, srv.Close())
	})
	// Any region and any static credentials: the pool does not check
	// signatures.
	awsCfg := aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		HTTPClient:  f.sdk,
	}
	f.idp = cip.NewFromConfig(awsCfg, func(o *cip.Options) {
		o.BaseEndpoint = aws.String(srv.Endpoint())
		// A refused call is an answer, not a fault to retry.
		o.RetryMaxAttempts = 1
	})
	f.web = f.browser(t)
	return f
}

// ownBody hands the transport a copy of each request body that the SDK
// cannot close. The SDK's body is not one the transport knows to be in
// memory, so the transport sends the headers, then the body straight to
// the socket, and only then reads the body once more to check for bytes
// past Content-Length. By then the answer may be back and the SDK, on
// return from Do, has closed its body: that last read gives io.EOF, the
// transport takes it for a failed write and closes the connection under
// the answer the SDK is still reading ("use of closed network
// connection", aws/aws-sdk-go-v2#2737). The SDK retries that by default;
// the fixture turns retries off, so the race must not happen at all.
type ownBody struct{ next http.RoundTripper }

func (o ownBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return o.next.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.ContentLength = int64(len(b))
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return o.next.RoundTrip(r)
}

// browser is an HTTP client with its own cookie jar that does not follow
// redirects.
func (f *fixture) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{
		Transport: f.tr,
		Jar:       jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// poolID is the pool's ID as the SDK's input shapes want it.
func (f *fixture) poolID() *string { return aws.String(f.pool.PoolID()) }

// user creates a confirmed user with a permanent password through the Go
// administration API.
func (f *fixture) user(t *testing.T, name, password string, attrs map[string]string) string {
	t.Helper()
	sub, err := f.pool.CreateUser(name, password, attrs)
	require.NoError(t, err)
	require.NotEmpty(t, sub)
	return sub
}

// signIn runs InitiateAuth USER_PASSWORD_AUTH with the SDK and requires it
// to succeed.
func (f *fixture) signIn(t *testing.T, clientID, username, password string) *types.AuthenticationResultType {
	t.Helper()
	out, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(clientID),
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
	})
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult)
	return out.AuthenticationResult
}

// refresh runs InitiateAuth REFRESH_TOKEN_AUTH with the SDK.
func (f *fixture) refresh(t *testing.T, clientID, refreshToken string) (*types.AuthenticationResultType, error) {
	t.Helper()
	out, err := f.idp.InitiateAuth(ctx(t), &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		ClientId:       aws.String(clientID),
		AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken},
	})
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

// verify checks a token with a Verifier trusting the pool, the way a
// service would, and returns its claims.
func (f *fixture) verify(t *testing.T, clientID string, use cognitojwt.TokenUse, token string) *cognitojwt.Claims {
	t.Helper()
	v, err := f.pool.Verifier(clientID, use)
	require.NoError(t, err)
	c, err := v.Verify(ctx(t), token)
	require.NoError(t, err)
	return c
}

// requireAPIError requires err to be the SDK's typed error E, and returns
// it for checks of its message.
func requireAPIError[E error](t *testing.T, err error) E {
	t.Helper()
	var target E
	require.Error(t, err)
	require.True(t, errors.As(err, &target), "want %T, got %T: %v", target, err, err)
	return target
}

// attrsOf turns the SDK's attribute list into a map.
func attrsOf(list []types.AttributeType) map[string]string {
	m := make(map[string]string, len(list))
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// attrList builds the SDK's attribute list from name/value pairs.
func attrList(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}
