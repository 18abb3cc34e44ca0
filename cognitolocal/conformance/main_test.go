package conformance

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The clients, each at the path its Debian package installs it to: a
// pyenv shim earlier on PATH must not stand in for them.
const (
	awsCLI  = "/usr/bin/aws"
	python3 = "/usr/bin/python3"
	curl    = "/usr/bin/curl"
)

// binary is the cognitojwt command built from this checkout's
// ./cmd/cognitojwt, so the cases run the dev-issuer under test; or the one
// CONFORMANCE_COGNITOJWT names, to check a build from elsewhere.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cognitolocal-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = os.Getenv("CONFORMANCE_COGNITOJWT")
	if binary == "" {
		binary = filepath.Join(dir, "cognitojwt")
		build := exec.Command("go", "build", "-o", binary, "./cmd/cognitojwt")
		build.Dir = filepath.Join("..", "..")
		build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building cognitojwt: %v\n%s", err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
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

// issuer is one dev-issuer process, started by a case and stopped when
// the case ends.
type issuer struct {
	// Endpoint is the JSON API and Managed Login base URL,
	// http://127.0.0.1:PORT.
	Endpoint string
	// PoolID is the default pool's ID and Issuer its issuer URL.
	PoolID, Issuer string
	// ClientID is the default app client's ID.
	ClientID string
	// home is the clients' HOME: no ~/.aws of the machine is read.
	home string
	// caFile is the local CA of --tls, which the clients are told to
	// trust; empty over http.
	caFile string
}

// startIssuer starts "cognitojwt dev-issuer" on a free loopback port, with
// its key in a scratch folder and its state in memory, and stops it when
// the test ends.
func startIssuer(t *testing.T, args ...string) *issuer {
	t.Helper()
	dir := t.TempDir()
	argv := append([]string{"dev-issuer", "--addr", "127.0.0.1:0",
		"--key-file", filepath.Join(dir, "key.json"), "--state-file", "none"}, args...)
	cmd := exec.Command(binary, argv...)
	var logs lockedBuffer
	cmd.Stderr = &logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	iss := &issuer{home: filepath.Join(dir, "home")}
	if slices.Contains(args, "--tls") {
		// dev-issuer keeps its CA beside the key file.
		iss.caFile = filepath.Join(dir, "dev-issuer-ca.pem")
	}
	if err := os.Mkdir(iss.home, 0o700); err != nil {
		t.Fatal(err)
	}
	// The banner names the pool; it is printed once the port listens.
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 3 && fields[0] == "Pool" && fields[1] == "ID":
			iss.PoolID = fields[2]
		case len(fields) >= 2 && fields[0] == "Issuer":
			iss.Issuer = fields[1]
		case len(fields) >= 3 && fields[0] == "JSON" && fields[1] == "API":
			iss.Endpoint = fields[2]
		case len(fields) >= 3 && fields[0] == "App" && fields[1] == "client":
			iss.ClientID = fields[2]
		}
		if iss.PoolID != "" && iss.Issuer != "" && iss.Endpoint != "" && iss.ClientID != "" {
			break
		}
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		stopped := time.AfterFunc(10*time.Second, func() { _ = cmd.Process.Kill() })
		<-drained
		err := cmd.Wait()
		stopped.Stop()
		if err != nil || t.Failed() {
			t.Logf("dev-issuer (%v) logged:\n%s", err, logs.String())
		}
	})
	if iss.Endpoint == "" || iss.PoolID == "" || iss.Issuer == "" || iss.ClientID == "" {
		t.Fatalf("dev-issuer did not print its pool, issuer, endpoint and client; it logged:\n%s", logs.String())
	}
	return iss
}

// env is the environment every client runs with: the pool's coordinates
// and the dummy credentials and region the AWS clients insist on, with no
// configuration file of the machine's.
func (iss *issuer) env() []string {
	keep := []string{"PATH", "TMPDIR", "LANG", "SYSTEMROOT"}
	var env []string
	for _, k := range keep {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	if iss.caFile != "" {
		env = append(env, "NODE_EXTRA_CA_CERTS="+iss.caFile, "AWS_CA_BUNDLE="+iss.caFile, "SSL_CERT_FILE="+iss.caFile)
	}
	return append(env,
		"HOME="+iss.home,
		"AWS_ACCESS_KEY_ID=local-dummy-key",
		"AWS_SECRET_ACCESS_KEY=local-dummy-secret",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(iss.home, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(iss.home, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		// A refused call is the answer under test, not a fault to retry.
		"AWS_MAX_ATTEMPTS=1",
		"COGNITO_ENDPOINT="+iss.Endpoint,
		"COGNITO_POOL_ID="+iss.PoolID,
		"COGNITO_ISSUER="+iss.Issuer,
		"COGNITO_CLIENT_ID="+iss.ClientID,
		"COGNITO_OUTBOX="+iss.Endpoint+"/local/outbox",
	)
}

// run runs a client program against the pool and returns what it wrote
// to stdout and stderr, and its error.
func (iss *issuer) run(t *testing.T, stdin string, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runWithEnv(t, iss.env(), stdin, name, args...)
}

// runWithEnv runs a program with exactly the environment env.
func runWithEnv(t *testing.T, env []string, stdin string, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// httpClient is an HTTP client that trusts the pool: over --tls, its
// local CA alone.
func (iss *issuer) httpClient(t *testing.T) *http.Client {
	t.Helper()
	if iss.caFile == "" {
		return &http.Client{Timeout: 30 * time.Second}
	}
	pem, err := os.ReadFile(iss.caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", iss.caFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// requireClient skips, loudly, when a client is not installed: the
// conformance step of .ci/run installs them all and fails if it cannot.
func requireClient(t *testing.T, path string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		t.Skipf("########## CLIENT NOT INSTALLED: %s (%v); run .ci/run conformance to install it. THIS CLIENT WAS NOT TESTED. ##########", path, err)
	}
	return p
}

// lockedBuffer collects a process's log while tests read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// requireNodeModules skips, loudly, when npm ci has not run here.
func requireNodeModules(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("node_modules/.package-lock.json"); err != nil {
		t.Skipf("########## node_modules missing (%v): run npm ci in cognitolocal/conformance, or .ci/run conformance. THE NODE CLIENTS WERE NOT TESTED. ##########", err)
	}
}
