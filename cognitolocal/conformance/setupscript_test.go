package conformance

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// setupScriptMarker precedes, in README.md and docs/emulator.md, the
// ```sh block of the AWS CLI set-up script.
const setupScriptMarker = "<!-- conformance: aws-cli-setup -->"

// setupScript returns the script shown after the marker in doc.
func setupScript(t *testing.T, doc string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", doc))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var lines []string
	state := 0 // 0 before the marker, 1 before the fence, 2 in the block
	for sc.Scan() {
		line := sc.Text()
		switch {
		case state == 0 && strings.TrimSpace(line) == setupScriptMarker:
			state = 1
		case state == 1 && strings.TrimSpace(line) == "```sh":
			state = 2
		case state == 1 && strings.TrimSpace(line) != "":
			t.Fatalf("%s: %s is not followed by a ```sh block", doc, setupScriptMarker)
		case state == 2 && strings.TrimSpace(line) == "```":
			return strings.Join(lines, "\n") + "\n"
		case state == 2:
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("%s shows no set-up script (%s, then a ```sh block)", doc, setupScriptMarker)
	return ""
}

// poolIDPattern is UserPoolId's pattern in the API reference (for example
// API_DescribeUserPool, Request Parameters: [\w-]+_[0-9a-zA-Z]+).
var poolIDPattern = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

// TestSetupScript runs, exactly as README.md and docs/emulator.md show it,
// the AWS CLI script that sets up a pool, an app client and a user
// against a dev-issuer, so the documented script stays true: the pool it
// creates has an ID of Cognito's form, and the access token it ends with
// verifies with a cognitojwt.Verifier trusting that pool and client.
func TestSetupScript(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)
	runCase(t, "the AWS CLI set-up script", "documented", "", func(t *testing.T) {
		script := setupScript(t, "README.md")
		if other := setupScript(t, "docs/emulator.md"); other != script {
			t.Fatalf("README.md and docs/emulator.md show different set-up scripts:\n%s\n---\n%s", script, other)
		}
		iss := startIssuer(t)
		// The script calls "aws", as a reader would: put the Debian
		// package's first on PATH. Its environment has no AWS variables, so
		// the ones it exports are the ones it needs.
		bin := t.TempDir()
		if err := os.Symlink(awsCLI, filepath.Join(bin, "aws")); err != nil {
			t.Fatal(err)
		}
		env := []string{"HOME=" + iss.home, "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "ENDPOINT=" + iss.Endpoint}
		stdout, stderr, err := runWithEnv(t, env, script, "bash", "-euo", "pipefail")
		if err != nil {
			t.Fatalf("the set-up script failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
		}
		vars := map[string]string{}
		for _, field := range strings.Fields(stdout) {
			if k, v, ok := strings.Cut(field, "="); ok {
				vars[k] = v
			}
		}
		poolID, clientID, token := vars["POOL_ID"], vars["CLIENT_ID"], vars["ACCESS_TOKEN"]
		if !poolIDPattern.MatchString(poolID) || clientID == "" || token == "" {
			t.Fatalf("the script printed no POOL_ID of Cognito's form, CLIENT_ID or ACCESS_TOKEN:\n%s", stdout)
		}
		// Cognito's pool IDs begin with their region (the API reference's
		// examples: us-east-1_EXAMPLE), and the docs promise the script's
		// region, us-east-1.
		if !strings.HasPrefix(poolID, "us-east-1_") {
			t.Fatalf("POOL_ID %q does not begin with the region us-east-1", poolID)
		}
		if vars["ISSUER"] != iss.Endpoint+"/"+poolID {
			t.Fatalf("ISSUER %q, want %s/%s", vars["ISSUER"], iss.Endpoint, poolID)
		}
		requireAccessToken(t, &issuer{Issuer: vars["ISSUER"]}, clientID, token, "alice")
	})
}
