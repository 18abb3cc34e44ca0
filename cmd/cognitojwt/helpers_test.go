package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/cognitotest"
	"github.com/cognitojwt/cognitojwt/internal/testwait"
)

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
	deadline := time.After(testwait.Limit(t))
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
	case <-time.After(testwait.Limit(t)):
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

// closedURL returns the address of a loopback server that no longer
// listens.
func closedURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}
