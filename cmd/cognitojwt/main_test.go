package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

// binary is the command built once for all tests, which run it as a user
// would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cognitojwt-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "cognitojwt")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building cognitojwt:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// cli runs the binary with a private configuration directory, so that no
// test reads or writes the user's own dev-issuer key.
func cli(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running cognitojwt %v: %v", args, err)
	}
	return result{stdout.String(), stderr.String(), code}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, name := range []string{"decode", "verify", "dev-issuer", "mint", "users", "version"} {
		t.Run(name, func(t *testing.T) {
			for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}} {
				r := cli(t, "", nil, args...)
				require.Equal(t, 0, r.code, r)
				assert.Contains(t, r.stdout, "Usage: cognitojwt "+name, r)
				assert.Contains(t, r.stdout, "Exit codes", r)
				assert.Empty(t, r.stderr)
			}
		})
	}

	r := cli(t, "", nil, "--help")
	require.Equal(t, 0, r.code, r)
	for _, name := range []string{"decode", "verify", "dev-issuer", "mint", "users"} {
		assert.Contains(t, r.stdout, "\n  "+name+" ", "command list")
	}

	r = cli(t, "", nil)
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "Commands:")

	r = cli(t, "", nil, "frobnicate")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, `unknown command "frobnicate"`)

	r = cli(t, "", nil, "help", "frobnicate")
	assert.Equal(t, 2, r.code, r)

	r = cli(t, "", nil, "verify", "--no-such-flag")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "no-such-flag")
	assert.Contains(t, r.stderr, `Run "cognitojwt verify --help"`)
	assert.NotContains(t, r.stdout+r.stderr, "Flags:", "a usage error is brief")

	r = cli(t, "", nil, "version")
	assert.Equal(t, 0, r.code, r)
	assert.True(t, strings.HasPrefix(r.stdout, "cognitojwt "), r)
}

func TestDecode(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	exp := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	token := iss.AccessToken(cognitotest.WithUsername("dora"), cognitotest.WithGroups("admin"),
		cognitotest.WithIssuedAt(exp.Add(-time.Hour)), cognitotest.WithExpiresAt(exp))

	r := cli(t, "", []string{"TZ=Asia/Tokyo"}, "decode", token)
	require.Equal(t, 0, r.code, r)
	assert.True(t, strings.HasPrefix(r.stdout, "NOT VERIFIED"), "the first line warns: %s", r.stdout)
	assert.Contains(t, r.stdout, `"username": "dora"`)
	assert.Contains(t, r.stdout, `"alg": "RS256"`)
	assert.Contains(t, r.stdout, `"kid": "`+iss.CurrentKey().KeyID+`"`)
	assert.Contains(t, r.stdout, "2031-01-02 12:04:05 +0900 JST", "exp in local time")
	assert.Contains(t, r.stdout, "2031-01-02 03:04:05 UTC", "exp in UTC")
	assert.Contains(t, r.stdout, "expires in ")
	assert.NotContains(t, r.stdout, "Warning")

	// From standard input, as pasted from an Authorization header.
	r2 := cli(t, "Bearer "+token+"\n", []string{"TZ=Asia/Tokyo"}, "decode", "-")
	require.Equal(t, 0, r2.code, r2)
	assert.Equal(t, r.stdout[:strings.Index(r.stdout, "Times")], r2.stdout[:strings.Index(r2.stdout, "Times")])

	r = cli(t, "", nil, "decode", "--json", token)
	require.Equal(t, 0, r.code, r)
	var out struct {
		Verified *bool
		Header   map[string]any
		Claims   map[string]any
		Times    map[string]string
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r)
	require.NotNil(t, out.Verified)
	assert.False(t, *out.Verified)
	assert.Equal(t, "dora", out.Claims["username"])
	assert.Equal(t, iss.CurrentKey().KeyID, out.Header["kid"])
	assert.Equal(t, exp.Format(time.RFC3339), out.Times["exp"])

	// An expired token decodes all the same, and says so.
	r = cli(t, "", nil, "decode", iss.AccessToken(cognitotest.WithLifetime(-2*time.Hour)))
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, "expired 2h")
}

func TestDecodeToleratesOddEncodingWithWarning(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	parts := strings.Split(iss.AccessToken(), ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	for len(payload)%3 == 0 {
		payload = append(payload, ' ')
	}
	parts[1] = base64.URLEncoding.EncodeToString(payload) // padded
	require.Contains(t, parts[1], "=")
	r := cli(t, "", nil, "decode", strings.Join(parts, "."))
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, "Warning: payload is not canonical")
}

func TestDecodeFailures(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  string
	}{
		{"one segment", []string{"abc"}, "", 1, "not a JWT: 1"},
		{"two segments", []string{"a.b"}, "", 1, "not a JWT: 2"},
		{"bad base64", []string{"!!!." + b64([]byte("{}")) + ".c2ln"}, "", 1, "header is not base64url"},
		{"header array", []string{b64([]byte("[]")) + "." + b64([]byte("{}")) + ".c2ln"}, "", 1, "header is not a JSON object"},
		{"payload text", []string{b64([]byte(`{"alg":"RS256"}`)) + "." + b64([]byte("hello")) + ".c2ln"}, "", 1, "payload is not a JSON object"},
		{"encrypted", []string{b64([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM"}`)) + ".a.b.c.d"}, "", 1, "encrypted token"},
		{"no argument", nil, "", 2, "missing TOKEN"},
		{"two arguments", []string{"a.b.c", "d.e.f"}, "", 2, "expected one TOKEN"},
		{"empty stdin", []string{"-"}, "  \n", 2, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, tc.stdin, nil, append([]string{"decode"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
			assert.NotContains(t, r.stdout, "Claims:")
		})
	}
}

func TestVerifyAccepts(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	access := iss.AccessToken(cognitotest.WithUsername("erin"), cognitotest.WithGroups("admin"))
	id := iss.IDToken(cognitotest.WithUsername("erin"))
	base := []string{"verify", "--issuer", iss.URL(), "--client-id", cognitotest.DefaultClientID}

	r := cli(t, "", nil, append(base, access)...)
	require.Equal(t, 0, r.code, r)
	assert.True(t, strings.HasPrefix(r.stdout, "VERIFIED access token"), r)
	assert.Contains(t, r.stdout, `"username": "erin"`)
	assert.Contains(t, r.stdout, "expires in ")
	assert.Empty(t, r.stderr)

	// Flags after the token, a client list and standard input work too.
	r = cli(t, access, nil, "verify", "-", "--client-id", "other,"+cognitotest.DefaultClientID, "--issuer", iss.URL())
	assert.Equal(t, 0, r.code, r)

	r = cli(t, "", nil, append(base, "--token-use", "id", id)...)
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, "VERIFIED id token")
	assert.Contains(t, r.stdout, `"cognito:username": "erin"`)

	r = cli(t, "", nil, append(base, "--token-use", "any", id)...)
	assert.Equal(t, 0, r.code, r)

	r = cli(t, "", nil, "verify", "--issuer", iss.URL(), "--any-client", iss.AccessToken(cognitotest.WithClientID("whoever")))
	assert.Equal(t, 0, r.code, r)

	// --jwks-url overrides where the keys come from.
	r = cli(t, "", nil, append(base, "--jwks-url", iss.JWKSURL(), access)...)
	assert.Equal(t, 0, r.code, r)

	r = cli(t, "", nil, append(base, "--json", access)...)
	require.Equal(t, 0, r.code, r)
	var out struct {
		Verified bool
		TokenUse string `json:"token_use"`
		Claims   map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r)
	assert.True(t, out.Verified)
	assert.Equal(t, "access", out.TokenUse)
	assert.Equal(t, "erin", out.Claims["username"])
	assert.Equal(t, []any{"admin"}, out.Claims["cognito:groups"])

	r = cli(t, "", nil, append(base, "--quiet", access)...)
	assert.Equal(t, 0, r.code, r)
	assert.Empty(t, r.stdout+r.stderr)

	r = cli(t, "", nil, append(base, "--verbose", access)...)
	assert.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stderr, "JWKS fetched")
	assert.Contains(t, r.stderr, "keys=1")
}

func TestVerifyRejects(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	other := cognitotest.NewIssuer(t, cognitotest.WithPoolID("us-west-2_Other"))
	unpublished, err := cognitotest.NewSigningKey()
	require.NoError(t, err)
	good := iss.AccessToken()
	dot := strings.LastIndex(good, ".")
	tampered := good[:dot+1] + flip(good[dot+1:dot+2]) + good[dot+2:]

	for _, tc := range []struct {
		name  string
		token string
		extra []string
		kind  string
		hint  string
	}{
		{"expired", iss.AccessToken(cognitotest.WithLifetime(-10 * time.Minute)), nil, "expired", "expired 10m"},
		{"wrong client", iss.AccessToken(cognitotest.WithClientID("mobile-app")), nil, "wrong_client", `token client_id: "mobile-app"`},
		{"id token as access", iss.IDToken(), nil, "wrong_token_use", "--token-use id"},
		{"access token as id", good, []string{"--token-use", "id"}, "wrong_token_use", "--token-use access"},
		{"other pool", other.AccessToken(), nil, "wrong_issuer", other.URL()},
		{"tampered", tampered, nil, "invalid_signature", "changed after signing"},
		{"unknown key", iss.AccessToken(cognitotest.WithKey(unpublished)), nil, "unknown_key", iss.JWKSURL()},
		{"alg none", iss.AccessToken(cognitotest.WithHeader("alg", "none")), nil, "unsupported_algorithm", `"none"`},
		{"future iat", iss.AccessToken(cognitotest.WithIssuedAt(time.Now().Add(time.Hour))), nil, "not_yet_valid", "in the future: is this machine's clock right"},
		{"garbage", "a.b.c", nil, "malformed_token", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--issuer", iss.URL(), "--client-id", cognitotest.DefaultClientID}, tc.extra...)
			r := cli(t, "", nil, append(args, tc.token)...)
			assert.Equal(t, 1, r.code, r)
			assert.Contains(t, r.stderr, "token rejected ("+tc.kind+")", r)
			assert.Contains(t, r.stderr, tc.hint, r)
			assert.NotContains(t, r.stdout, "VERIFIED")

			r = cli(t, "", nil, append(append(args, "--json"), tc.token)...)
			assert.Equal(t, 1, r.code, r)
			var out struct {
				Verified *bool
				Error    string
			}
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r)
			require.NotNil(t, out.Verified)
			assert.False(t, *out.Verified)
			assert.Equal(t, tc.kind, out.Error)
		})
	}
}

// flip returns another base64url character than the one-byte s.
func flip(s string) string {
	if s == "A" {
		return "B"
	}
	return "A"
}

func TestVerifyDerivesIssuerFromPool(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	r := cli(t, "", nil, "verify", "--pool", "eu-west-1_AbC123", "--jwks-url", iss.JWKSURL(),
		"--client-id", cognitotest.DefaultClientID, iss.AccessToken())
	assert.Equal(t, 1, r.code, r)
	assert.Contains(t, r.stderr, `expected:  "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"`)
	assert.Equal(t, 0, iss.JWKSFetches(), "iss is checked before any fetch")
}

func TestVerifyKeysUnavailable(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	token := iss.AccessToken()
	iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	r := cli(t, "", nil, "verify", "--issuer", iss.URL(), "--client-id", cognitotest.DefaultClientID, token)
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "signing keys unavailable from "+iss.JWKSURL())
	assert.Contains(t, r.stderr, "HTTP 500")

	closed := closedURL(t)
	r = cli(t, "", nil, "verify", "--issuer", closed+"/pool", "--client-id", "c", "--timeout", "2s",
		iss.AccessToken(cognitotest.WithClaim("iss", closed+"/pool")))
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "signing keys unavailable")
}

// closedURL returns the address of a loopback server that no longer
// listens.
func closedURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

func TestVerifyUsageErrors(t *testing.T) {
	iss := cognitotest.NewIssuer(t)
	token := iss.AccessToken()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no pool", []string{"--client-id", "c", token}, "--pool"},
		{"no client", []string{"--issuer", iss.URL(), token}, "--client-id"},
		{"bad pool", []string{"--pool", "not-a-pool", "--client-id", "c", token}, "UserPoolID"},
		{"plain http", []string{"--issuer", "http://example.com/pool", "--client-id", "c", token}, "loopback"},
		{"bad token use", []string{"--issuer", iss.URL(), "--client-id", "c", "--token-use", "refresh", token}, "TokenUse"},
		{"bad timeout", []string{"--issuer", iss.URL(), "--client-id", "c", "--timeout", "0s", token}, "--timeout"},
		{"bad duration", []string{"--issuer", iss.URL(), "--client-id", "c", "--leeway", "soon", token}, "leeway"},
		{"no token", []string{"--issuer", iss.URL(), "--client-id", "c"}, "missing TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", nil, append([]string{"verify"}, tc.args...)...)
			assert.Equal(t, 2, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
		})
	}
	assert.Equal(t, 0, iss.JWKSFetches(), "usage errors stop before the network")
}

// devIssuer is a running "cognitojwt dev-issuer" process.
type devIssuer struct {
	cmd            *exec.Cmd
	configDir      string
	stdout, stderr *syncBuffer
	issuer, jwks   string
	base           string
	done           chan struct{}
	code           int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startDevIssuer(t *testing.T, args ...string) *devIssuer {
	t.Helper()
	home := t.TempDir()
	d := &devIssuer{
		cmd:       exec.Command(binary, append([]string{"dev-issuer"}, args...)...),
		configDir: filepath.Join(home, ".config"),
		stdout:    &syncBuffer{},
		stderr:    &syncBuffer{},
		done:      make(chan struct{}),
	}
	d.cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+d.configDir)
	d.cmd.Stdout, d.cmd.Stderr = d.stdout, d.stderr
	require.NoError(t, d.cmd.Start())
	go func() {
		_ = d.cmd.Wait()
		d.code = d.cmd.ProcessState.ExitCode()
		close(d.done)
	}()
	t.Cleanup(func() { d.stop(t) })
	deadline := time.After(30 * time.Second)
	for !strings.Contains(d.stdout.String(), "Press Ctrl+C") {
		select {
		case <-d.done:
			t.Fatalf("dev-issuer exited %d before serving:\n%s\n%s", d.code, d.stdout, d.stderr)
		case <-deadline:
			t.Fatalf("dev-issuer did not start:\n%s\n%s", d.stdout, d.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	for _, line := range strings.Split(d.stdout.String(), "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) == 2 && fields[0] == "Issuer":
			d.issuer = fields[1]
		case len(fields) == 3 && fields[0] == "JWKS" && fields[1] == "URL":
			d.jwks = fields[2]
		case len(fields) == 4 && fields[0] == "Mint" && fields[2] == "POST":
			d.base = strings.TrimSuffix(fields[3], "/mint")
		}
	}
	require.NotEmpty(t, d.issuer, d.stdout.String())
	require.NotEmpty(t, d.jwks, d.stdout.String())
	require.NotEmpty(t, d.base, d.stdout.String())
	return d
}

// stop interrupts the process, as Ctrl+C would, and returns its exit code.
func (d *devIssuer) stop(t *testing.T) int {
	select {
	case <-d.done:
		return d.code
	default:
	}
	_ = d.cmd.Process.Signal(os.Interrupt)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
		t.Errorf("dev-issuer ignored the interrupt")
	}
	return d.code
}

func (d *devIssuer) post(t *testing.T, contentType, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(d.base+"/mint", contentType, strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &out), string(raw))
	return resp.StatusCode, out
}

func verifierFor(t *testing.T, issuer, jwks string, use cognitojwt.TokenUse) *cognitojwt.Verifier {
	t.Helper()
	v, err := cognitojwt.New(cognitojwt.Config{
		Issuer:    issuer,
		JWKSURL:   jwks,
		ClientIDs: []string{cognitotest.DefaultClientID},
		TokenUse:  use,
	})
	require.NoError(t, err)
	return v
}

func TestDevIssuerServesAndMints(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.json")
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile)
	assert.True(t, strings.HasSuffix(d.issuer, "/local_Dev"), d.issuer)
	assert.Contains(t, d.stdout.String(), "(created, kid ")

	info, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	resp, err := http.Get(d.issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var discovery map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&discovery))
	resp.Body.Close()
	assert.Equal(t, d.issuer, discovery["issuer"])
	assert.Equal(t, d.jwks, discovery["jwks_uri"])

	status, out := d.post(t, "application/json", `{"username":"frank","groups":["admin","ops"],"scopes":["orders/read"],
		"attributes":{"tenant_id":"acme","given_name":"Frank"},"claims":{"department":"sales"},
		"trigger_claims":{"level":3},"lifetime":"15m"}`)
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, "Bearer", out["token_type"])
	assert.Equal(t, float64(900), out["expires_in"])
	assert.Equal(t, d.issuer, out["issuer"])

	ctx := context.Background()
	claims, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, out["access_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, "frank", claims.Username)
	assert.Equal(t, []string{"admin", "ops"}, claims.Groups.Slice())
	assert.Equal(t, []string{"orders/read"}, claims.Scopes.Slice())
	level, _ := claims.Get("level")
	assert.Equal(t, float64(3), level, "a trigger's claim is in the access token")
	for _, absent := range []string{"custom:tenant_id", "given_name", "department", "email"} {
		_, ok := claims.Get(absent)
		assert.False(t, ok, "Cognito's access tokens carry no %s", absent)
	}
	assert.WithinDuration(t, time.Now().Add(15*time.Minute), claims.ExpiresAt, time.Minute)

	idClaims, err := verifierFor(t, d.issuer, "", cognitojwt.IDToken).Verify(ctx, out["id_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, "frank", idClaims.Username)
	assert.Equal(t, "frank@example.com", idClaims.Email)
	assert.Equal(t, claims.Subject, idClaims.Subject, "one user, one sub")
	tenant, _ := idClaims.Attribute("tenant_id")
	assert.Equal(t, "acme", tenant)
	given, _ := idClaims.Get("given_name")
	assert.Equal(t, "Frank", given, "standard attributes keep their name")
	department, _ := idClaims.Get("department")
	assert.Equal(t, "sales", department)
	_, ok := idClaims.Get("level")
	assert.False(t, ok, "a trigger_claim goes into the access token only")

	// Form fields, as curl -d sends them; sub stays the same per user.
	status, form := d.post(t, "application/x-www-form-urlencoded",
		"username=frank&groups=admin,ops&trigger_claim=level%3D3&token_use=access")
	require.Equal(t, http.StatusOK, status, form)
	assert.Nil(t, form["id_token"], "token_use=access mints the access token only")
	formClaims, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, form["access_token"].(string))
	require.NoError(t, err)
	assert.Equal(t, claims.Subject, formClaims.Subject)
	assert.Equal(t, claims.Groups, formClaims.Groups)
	formLevel, _ := formClaims.Get("level")
	assert.Equal(t, float64(3), formLevel)
	status, grace := d.post(t, "application/x-www-form-urlencoded", "username=grace")
	require.Equal(t, http.StatusOK, status, grace)
	graceClaims, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, grace["access_token"].(string))
	require.NoError(t, err)
	assert.NotEqual(t, claims.Subject, graceClaims.Subject)

	status, machine := d.post(t, "application/json", `{"machine":true,"scopes":["orders/write"],"client_id":"batch"}`)
	require.Equal(t, http.StatusOK, status, machine)
	mc, err := cognitojwt.New(cognitojwt.Config{Issuer: d.issuer, ClientIDs: []string{"batch"}})
	require.NoError(t, err)
	machineClaims, err := mc.Verify(ctx, machine["access_token"].(string))
	require.NoError(t, err)
	assert.Empty(t, machineClaims.Username)
	assert.Equal(t, "batch", machineClaims.Subject)

	// The mint command talks to the running server; verify accepts the result.
	r := cli(t, "", nil, "mint", "--server", d.base, "--username", "heidi", "--groups", "admin")
	require.Equal(t, 0, r.code, r)
	token := strings.TrimSpace(r.stdout)
	r = cli(t, "", nil, "verify", "--issuer", d.issuer, "--client-id", cognitotest.DefaultClientID, token)
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, `"username": "heidi"`)

	r = cli(t, "", nil, "mint", "--server", d.base, "--token-use", "id", "--email", "h@example.org")
	require.Equal(t, 0, r.code, r)
	idc, err := verifierFor(t, d.issuer, "", cognitojwt.IDToken).Verify(ctx, strings.TrimSpace(r.stdout))
	require.NoError(t, err)
	assert.Equal(t, "h@example.org", idc.Email)

	r = cli(t, "", nil, "mint", "--server", d.base, "--json", "--lifetime", "-5m")
	require.Equal(t, 0, r.code, r)
	var minted mintResponse
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &minted))
	assert.NotEmpty(t, minted.IDToken)
	_, err = verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, minted.AccessToken)
	assert.ErrorIs(t, err, cognitojwt.ErrExpired, "a negative lifetime mints an expired token")

	assert.Contains(t, d.stderr.String(), "minted access+id token for frank")
	assert.Equal(t, 0, d.stop(t))
	assert.Contains(t, d.stderr.String(), "stopping")
}

func TestDevIssuerRefusesBadMintRequests(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	for _, tc := range []struct {
		name, contentType, body, want string
	}{
		{"unknown JSON field", "application/json", `{"usrname":"x"}`, "usrname"},
		{"not JSON", "application/json", `{`, "JSON body"},
		{"two JSON values", "application/json", `{} {}`, "more than one"},
		{"unknown form field", "application/x-www-form-urlencoded", "usrname=x", "usrname"},
		{"bad lifetime", "application/json", `{"lifetime":"forever"}`, "lifetime"},
		{"too long lifetime", "application/json", `{"lifetime":"48h"}`, "24h"},
		{"machine without scope", "application/json", `{"machine":true}`, "scope"},
		{"machine id token", "application/json", `{"machine":true,"scopes":["a"],"token_use":"id"}`, "access tokens only"},
		{"bad token use", "application/json", `{"token_use":"refresh"}`, "token_use"},
		{"space in username", "application/json", `{"username":"a b"}`, "username"},
		{"attribute without value", "application/x-www-form-urlencoded", "attribute=tenant", "NAME=VALUE"},
		{"bad machine flag", "application/x-www-form-urlencoded", "machine=maybe", "machine"},
		{"attribute in an access token", "application/json", `{"token_use":"access","attributes":{"tenant_id":"acme"}}`, "trigger_claims"},
		{"claim in an access token", "application/x-www-form-urlencoded", "token_use=access&claim=x%3D1", "ID tokens only"},
		{"claim in a machine token", "application/json", `{"machine":true,"scopes":["a"],"claims":{"x":1}}`, "ID tokens only"},
		{"trigger claim without value", "application/x-www-form-urlencoded", "trigger_claim=level", "NAME=VALUE"},
		{"huge body", "application/x-www-form-urlencoded", "username=" + strings.Repeat("a", maxMintBody), "larger"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := d.post(t, tc.contentType, tc.body)
			assert.Equal(t, http.StatusBadRequest, status, out)
			assert.Equal(t, "invalid_request", out["error"])
			assert.Contains(t, out["error_description"], tc.want)
			assert.Nil(t, out["access_token"])
		})
	}

	resp, err := http.Get(d.base + "/mint")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, http.MethodPost, resp.Header.Get("Allow"))

	resp, err = http.Get(d.base + "/elsewhere")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	req, err := http.NewRequest(http.MethodPost, d.base+"/mint", strings.NewReader("username=x"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "rebound.example:9229"
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.NotContains(t, string(body), "access_token")

	r := cli(t, "", nil, "mint", "--server", d.base, "--machine")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "at least one scope")
}

func TestDevIssuerKeySurvivesRestart(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.json")
	first := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile)
	status, out := first.post(t, "application/json", `{"username":"ivan"}`)
	require.Equal(t, http.StatusOK, status, out)
	token := out["access_token"].(string)
	require.Equal(t, 0, first.stop(t))

	second := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile)
	assert.Contains(t, second.stdout.String(), "(loaded, kid ")
	// The restarted server listens on another port, hence another issuer;
	// its keys are what must carry over.
	_, err := verifierFor(t, first.issuer, second.jwks, cognitojwt.AccessToken).Verify(context.Background(), token)
	assert.NoError(t, err)

	fresh := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "other.json"))
	_, err = verifierFor(t, first.issuer, fresh.jwks, cognitojwt.AccessToken).Verify(context.Background(), token)
	assert.ErrorIs(t, err, cognitojwt.ErrUnknownKey, "another key file, another key")
}

func TestDevIssuerDefaultKeyFile(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0")
	var keyFile string
	for _, line := range strings.Split(d.stdout.String(), "\n") {
		if fields := strings.Fields(line); len(fields) > 2 && fields[0] == "Key" && fields[1] == "file" {
			keyFile = fields[2]
		}
	}
	require.NotEmpty(t, keyFile)
	assert.Equal(t, filepath.Join(d.configDir, "cognitojwt", keyFileName), keyFile)
	info, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	dir, err := os.Stat(filepath.Dir(keyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), dir.Mode().Perm())
}

func TestDevIssuerFailures(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	corrupt := filepath.Join(t.TempDir(), "corrupt.json")
	require.NoError(t, os.WriteFile(corrupt, []byte("not json"), 0o600))
	key := filepath.Join(t.TempDir(), "key.json")

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"all interfaces", []string{"--addr", ":0"}, 2, "loopback only"},
		{"public address", []string{"--addr", "0.0.0.0:9229"}, 2, "loopback only"},
		{"no port", []string{"--addr", "127.0.0.1"}, 2, "--addr"},
		{"bad pool", []string{"--addr", "127.0.0.1:0", "--pool", "a/b"}, 2, "--pool"},
		{"argument", []string{"--addr", "127.0.0.1:0", "extra"}, 2, "unexpected argument"},
		{"port in use", []string{"--addr", busy.Addr().String(), "--key-file", key}, 3, "cannot listen"},
		{"corrupt key file", []string{"--addr", "127.0.0.1:0", "--key-file", corrupt}, 3, "not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", nil, append([]string{"dev-issuer"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
		})
	}
}

func TestMintOffline(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.json")
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile)

	// Minted without the server, for the address it will have.
	const addr = "localhost:9339"
	r := cli(t, "", nil, "mint", "--offline", "--key-file", keyFile, "--addr", addr, "--pool", "local_Dev",
		"--username", "judy", "--groups", "admin", "--trigger-claim", `roles=["a","b"]`)
	require.Equal(t, 0, r.code, r)
	claims, err := verifierFor(t, "http://127.0.0.1:9339/local_Dev", d.jwks, cognitojwt.AccessToken).
		Verify(context.Background(), strings.TrimSpace(r.stdout))
	require.NoError(t, err)
	assert.Equal(t, "judy", claims.Username)
	assert.Equal(t, []string{"admin"}, claims.Groups.Slice())
	roles, _ := claims.Get("roles")
	assert.Equal(t, []any{"a", "b"}, roles)

	r = cli(t, "", nil, "mint", "--offline", "--key-file", keyFile, "--addr", addr, "--token-use", "id",
		"--username", "judy", "--attr", "tenant_id=acme")
	require.Equal(t, 0, r.code, r)
	idClaims, err := verifierFor(t, "http://127.0.0.1:9339/local_Dev", d.jwks, cognitojwt.IDToken).
		Verify(context.Background(), strings.TrimSpace(r.stdout))
	require.NoError(t, err)
	tenant, _ := idClaims.Attribute("tenant_id")
	assert.Equal(t, "acme", tenant)
	assert.Equal(t, claims.Subject, idClaims.Subject, "one user, one sub")

	// Cognito puts attributes into ID tokens only: asking for them in an
	// access token is a mistake the command names.
	r = cli(t, "", nil, "mint", "--offline", "--key-file", keyFile, "--attr", "tenant_id=acme")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "--trigger-claim")
	assert.Empty(t, r.stdout)

	r = cli(t, "", nil, "mint", "--offline", "--key-file", filepath.Join(t.TempDir(), "missing.json"))
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "cognitojwt dev-issuer")

	r = cli(t, "", nil, "mint", "--offline", "--key-file", keyFile, "--lifetime", "25h")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "24h")
}

// The shipped command must not link the testing package (through a test
// kit, say): it would register test flags and bloat the binary.
func TestCommandDoesNotLinkTesting(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/cognitojwt/cognitojwt/cognitolocal", "the list is the command's dependencies")
	assert.NotContains(t, deps, "testing")
	assert.NotContains(t, deps, "github.com/cognitojwt/cognitojwt/cognitotest")
}

func TestMintUsageAndNetworkErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no server", []string{"--server", closedURL(t)}, 3, "cannot reach the dev-issuer"},
		{"not a URL", []string{"--server", "ftp://127.0.0.1"}, 2, "--server"},
		{"bad lifetime", []string{"--lifetime", "soon"}, 2, "lifetime"},
		{"bad attribute", []string{"--attr", "tenant"}, 2, "NAME=VALUE"},
		{"bad trigger claim", []string{"--trigger-claim", "level"}, 2, "NAME=VALUE"},
		{"bad token use", []string{"--token-use", "refresh"}, 2, "--token-use"},
		{"argument", []string{"alice"}, 2, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", nil, append([]string{"mint"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
			assert.Empty(t, r.stdout)
		})
	}
}

// initiateAuth signs a user in through the dev-issuer's JSON API, as an
// app would with the AWS SDK, and returns the answer or the refusal's
// __type.
func initiateAuth(t *testing.T, base string, params map[string]string) (tokens map[string]any, refusal string) {
	t.Helper()
	flow := "USER_PASSWORD_AUTH"
	if _, ok := params["REFRESH_TOKEN"]; ok {
		flow = "REFRESH_TOKEN_AUTH"
	}
	body, err := json.Marshal(map[string]any{"AuthFlow": flow, "ClientId": cognitotest.DefaultClientID, "AuthParameters": params})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, base+"/", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	if resp.StatusCode != http.StatusOK {
		return nil, out["__type"].(string)
	}
	return out["AuthenticationResult"].(map[string]any), ""
}

func TestUsersManageARunningPool(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"),
		"--custom-attribute", "tenant_id")
	users := func(args ...string) result {
		return cli(t, "", nil, append(append([]string{"users"}, args...), "--server", d.base)...)
	}
	r := users("add", "alice", "--password", "Passw0rd!", "--groups", "admin", "--attr", "tenant_id=acme", "--attr", "email=alice@example.com")
	require.Equal(t, 0, r.code, r)
	assert.Contains(t, r.stdout, "added alice (sub ")
	assert.Contains(t, r.stdout, "to admin")

	tokens, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	require.Empty(t, refusal)
	ctx := context.Background()
	access, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(ctx, tokens["AccessToken"].(string))
	require.NoError(t, err)
	assert.Equal(t, []string{"admin"}, access.Groups.Slice())
	_, ok := access.Attribute("tenant_id")
	assert.False(t, ok, "attributes stay out of access tokens")
	id, err := verifierFor(t, d.issuer, "", cognitojwt.IDToken).Verify(ctx, tokens["IdToken"].(string))
	require.NoError(t, err)
	tenant, _ := id.Attribute("tenant_id")
	assert.Equal(t, "acme", tenant)
	assert.Equal(t, "alice@example.com", id.Email)

	r = users("add", "bob", "--password", "Passw0rd!")
	require.Equal(t, 0, r.code, r)
	r = users("list")
	require.Equal(t, 0, r.code, r)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Equal(t, []string{"USERNAME", "STATUS", "ENABLED", "EMAIL", "GROUPS", "SUB"}, strings.Fields(lines[0]))
	assert.Equal(t, []string{"alice", "CONFIRMED", "true", "alice@example.com", "admin"}, strings.Fields(lines[1])[:5])
	assert.Equal(t, []string{"bob", "CONFIRMED", "true", "-", "-"}, strings.Fields(lines[2])[:5])
	assert.Equal(t, access.Subject, strings.Fields(lines[1])[5])

	r = users("list", "--json", "--filter", `username ^= "al"`)
	require.Equal(t, 0, r.code, r)
	var listed []struct {
		Username   string
		Sub        string
		Enabled    bool
		Attributes map[string]string
		Groups     []string
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &listed), r)
	require.Len(t, listed, 1)
	assert.Equal(t, "alice", listed[0].Username)
	assert.Equal(t, "acme", listed[0].Attributes["custom:tenant_id"])
	assert.Equal(t, []string{"admin"}, listed[0].Groups)

	r = users("groups", "alice", "--add", "editors,PremiumUsers", "--remove", "admin")
	require.Equal(t, 0, r.code, r)
	assert.ElementsMatch(t, []string{"editors", "PremiumUsers"}, strings.Fields(r.stdout))

	r = users("set", "alice", "--attr", "tenant_id=globex", "--attr", "given_name=Alice", "--delete-attr", "email", "--password", "N3w-password")
	require.Equal(t, 0, r.code, r)
	_, refusal = initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	assert.Equal(t, "NotAuthorizedException", refusal, "the old password is gone")
	fresh, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "N3w-password"})
	require.Empty(t, refusal)
	id, err = verifierFor(t, d.issuer, "", cognitojwt.IDToken).Verify(ctx, fresh["IdToken"].(string))
	require.NoError(t, err)
	tenant, _ = id.Attribute("tenant_id")
	assert.Equal(t, "globex", tenant)
	given, _ := id.Get("given_name")
	assert.Equal(t, "Alice", given)
	assert.Empty(t, id.Email)
	assert.ElementsMatch(t, []string{"editors", "PremiumUsers"}, id.Groups.Slice())

	r = users("set", "alice", "--sign-out")
	require.Equal(t, 0, r.code, r)
	_, refusal = initiateAuth(t, d.base, map[string]string{"REFRESH_TOKEN": fresh["RefreshToken"].(string)})
	assert.Equal(t, "NotAuthorizedException", refusal, "signed out everywhere")

	r = users("set", "alice", "--disable")
	require.Equal(t, 0, r.code, r)
	_, refusal = initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "N3w-password"})
	assert.Equal(t, "NotAuthorizedException", refusal, "a disabled user cannot sign in")
	r = users("list", "--json", "--filter", `username = "alice"`)
	require.Equal(t, 0, r.code, r)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &listed), r)
	assert.False(t, listed[0].Enabled)
	r = users("set", "alice", "--enable")
	require.Equal(t, 0, r.code, r)
	_, refusal = initiateAuth(t, d.base, map[string]string{"USERNAME": "alice", "PASSWORD": "N3w-password"})
	assert.Empty(t, refusal)
}

func TestUsersRefusalsAndUsageErrors(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"))
	r := cli(t, "", nil, "users", "add", "carol", "--password", "Passw0rd!", "--server", d.base)
	require.Equal(t, 0, r.code, r)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", nil, 2, "missing subcommand"},
		{"unknown subcommand", []string{"remove", "carol"}, 2, `unknown subcommand "remove"`},
		{"no username", []string{"add", "--password", "x"}, 2, "missing USERNAME"},
		{"two usernames", []string{"groups", "a", "b"}, 2, "expected one USERNAME argument, got 2"},
		{"no password", []string{"add", "dave"}, 2, "--password is required"},
		{"nothing to set", []string{"set", "carol"}, 2, "nothing to change"},
		{"enable and disable", []string{"set", "carol", "--enable", "--disable"}, 2, "exclude"},
		{"existing user", []string{"add", "carol", "--password", "Passw0rd!"}, 1, "UsernameExistsException"},
		{"unknown user", []string{"set", "nobody", "--disable"}, 1, "UserNotFoundException"},
		{"undeclared custom attribute", []string{"add", "erin", "--password", "Passw0rd!", "--attr", "tenant_id=acme"}, 1, "--custom-attribute tenant_id"},
		{"other pool", []string{"list", "--pool", "local_Other"}, 1, "--pool"},
		{"list with an argument", []string{"list", "alice"}, 2, `unexpected argument "alice"`},
		{"bad server", []string{"list", "--server", "ftp://x"}, 2, "--server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"users"}, tc.args...)
			if len(tc.args) > 0 && !strings.Contains(strings.Join(tc.args, " "), "--server") {
				args = append(args, "--server", d.base)
			}
			r := cli(t, "", nil, args...)
			assert.Equal(t, tc.code, r.code, r)
			assert.Contains(t, r.stderr, tc.want, r)
			assert.NotContains(t, r.stderr, "Passw0rd!", "passwords are never echoed")
		})
	}
	r = cli(t, "", nil, "users", "list", "--server", closedURL(t))
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "cannot reach the dev-issuer")
}

func TestDevIssuerStateKeepsUsersSignedInAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.json")
	args := []string{"--addr", "127.0.0.1:0", "--key-file", keyFile, "--custom-attribute", "tenant_id"}
	first := startDevIssuer(t, args...)
	stateFile := filepath.Join(dir, "dev-issuer-state-local_Dev.json")
	assert.Contains(t, first.stdout.String(), "State file     "+stateFile)
	r := cli(t, "", nil, "users", "add", "alice", "--password", "Passw0rd!", "--groups", "admin", "--attr", "tenant_id=acme", "--server", first.base)
	require.Equal(t, 0, r.code, r)
	tokens, refusal := initiateAuth(t, first.base, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	require.Empty(t, refusal)
	require.Equal(t, 0, first.stop(t))

	info, err := os.Stat(stateFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the state holds password hashes and client secrets")
	raw, err := os.ReadFile(stateFile)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "Passw0rd!")
	assert.NotContains(t, string(raw), tokens["RefreshToken"].(string))

	// The same flags again: the declared attribute is not declared twice.
	second := startDevIssuer(t, args...)
	refreshed, refusal := initiateAuth(t, second.base, map[string]string{"REFRESH_TOKEN": tokens["RefreshToken"].(string)})
	require.Empty(t, refusal, "the refresh token outlives the restart")
	id, err := verifierFor(t, second.issuer, "", cognitojwt.IDToken).Verify(context.Background(), refreshed["IdToken"].(string))
	require.NoError(t, err)
	assert.Equal(t, "alice", id.Username)
	assert.Equal(t, []string{"admin"}, id.Groups.Slice())
	tenant, _ := id.Attribute("tenant_id")
	assert.Equal(t, "acme", tenant)

	fresh := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", keyFile, "--state-file", "none")
	assert.Contains(t, fresh.stdout.String(), "State file     none")
	_, refusal = initiateAuth(t, fresh.base, map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
	assert.NotEmpty(t, refusal, "--state-file none starts empty")
}

func TestDevIssuerRefusesACorruptStateFile(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	require.NoError(t, os.WriteFile(state, []byte(`{"version":1,"poolId":"other"}`), 0o600))
	r := cli(t, "", nil, "dev-issuer", "--addr", "127.0.0.1:0", "--key-file", filepath.Join(dir, "key.json"), "--state-file", state)
	assert.Equal(t, 3, r.code, r)
	assert.Contains(t, r.stderr, "another pool")
	assert.Contains(t, r.stderr, "start afresh")
}

func TestDevIssuerCallsAnHTTPPreTokenGenerationTrigger(t *testing.T) {
	trigger := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		attrs := ev["request"].(map[string]any)["userAttributes"].(map[string]any)
		ev["response"] = map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
			"accessTokenGeneration": map[string]any{"claimsToAddOrOverride": map[string]any{
				"department": attrs["custom:department"], "source": ev["triggerSource"],
			}},
		}}
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer trigger.Close()

	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"),
		"--custom-attribute", "department", "--pre-token-generation", trigger.URL+"/")
	r := cli(t, "", nil, "users", "add", "ada", "--password", "Passw0rd!", "--attr", "department=engineering", "--server", d.base)
	require.Equal(t, 0, r.code, r)
	tokens, refusal := initiateAuth(t, d.base, map[string]string{"USERNAME": "ada", "PASSWORD": "Passw0rd!"})
	require.Empty(t, refusal)
	access, err := verifierFor(t, d.issuer, "", cognitojwt.AccessToken).Verify(context.Background(), tokens["AccessToken"].(string))
	require.NoError(t, err)
	department, _ := access.Get("department")
	assert.Equal(t, "engineering", department)
	source, _ := access.Get("source")
	assert.Equal(t, "TokenGeneration_Authentication", source)

	r = cli(t, "", nil, "dev-issuer", "--addr", "127.0.0.1:0", "--pre-token-generation", "localhost:9000")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "--pre-token-generation")
	r = cli(t, "", nil, "dev-issuer", "--addr", "127.0.0.1:0", "--pre-token-generation", trigger.URL, "--trigger-version", "V9_0")
	assert.Equal(t, 2, r.code, r)
	assert.Contains(t, r.stderr, "V9_0")
}

func TestDevIssuerServesManagedLogin(t *testing.T) {
	d := startDevIssuer(t, "--addr", "127.0.0.1:0", "--key-file", filepath.Join(t.TempDir(), "key.json"), "--state-file", "none")
	resp, err := http.Get(d.issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var discovery map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&discovery))
	resp.Body.Close()
	assert.Equal(t, d.base+"/oauth2/authorize", discovery["authorization_endpoint"])
	assert.Equal(t, d.base+"/oauth2/token", discovery["token_endpoint"])

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := "client_id=local-client&response_type=code&scope=openid&redirect_uri=" + "http%3A%2F%2Flocalhost%3A8080%2Fcallback"
	resp, err = client.Get(d.base + "/oauth2/authorize?" + q)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/login?"), resp.Header.Get("Location"))

	resp, err = http.Get(d.base + "/")
	require.NoError(t, err)
	help, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(help), "login:    /oauth2/authorize")
}

// TestMintHostMustBeLoopback: /mint answers only requests whose Host
// header names this machine, in any of the spellings a browser sends.
func TestMintHostMustBeLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:9229":       true,
		"[::1]:9229":           true,
		"localhost:9229":       true,
		"LOCALHOST":            true,
		"127.0.0.2":            true,
		"rebound.example:9229": false,
		"0.0.0.0:9229":         false,
		"[::]:9229":            false,
		"10.0.0.1:9229":        false,
		"":                     false,
	} {
		assert.Equal(t, want, loopbackHost(host), host)
	}
}
