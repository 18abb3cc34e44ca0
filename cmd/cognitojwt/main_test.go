package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
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
