package conformance

import (
	"os"
	"strings"
	"testing"
)

// TestTLS runs clients against "dev-issuer --tls", trusting its local CA
// the way the dev-issuer tells users to (NODE_EXTRA_CA_CERTS for Node,
// AWS_CA_BUNDLE for the AWS CLI and boto3, SSL_CERT_FILE), as Cognito
// serves only https (developer guide, "Verifying a JSON Web Token": the
// keys are at https://cognito-idp.REGION.amazonaws.com/POOL/.well-known/jwks.json).
// A client that does not trust the CA is refused, so the https is real;
// the clients here are identity-js, boto3 and the AWS CLI.
func TestTLS(t *testing.T) {
	t.Parallel()
	node := requireClient(t, "node")
	requireClient(t, awsCLI)
	requireNodeModules(t)
	runCase(t, "dev-issuer --tls", "https_clients", "", func(t *testing.T) {
		iss := startIssuer(t, "--tls")
		if !strings.HasPrefix(iss.Endpoint, "https://") || !strings.HasPrefix(iss.Issuer, "https://") {
			t.Fatalf("--tls serves %s with issuer %s, want https", iss.Endpoint, iss.Issuer)
		}
		if _, err := os.Stat(iss.caFile); err != nil {
			t.Fatalf("the local CA: %v", err)
		}
		stdout, stderr, err := iss.run(t, "", node, "js/identityjs.mjs", "user_password_auth")
		if err != nil {
			t.Fatalf("identity-js over https: %v\n%s\n%s", err, stdout, stderr)
		}
		var token, username string
		for _, line := range strings.Split(stdout, "\n") {
			if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
				token = jsonField(t, rest, "accessToken")
				username = jsonField(t, rest, "username")
			}
		}
		requireAccessToken(t, iss, iss.ClientID, token, username)
		if stdout, stderr, err := iss.run(t, "", python3, "py/boto3_cases.py", "global_sign_out"); err != nil {
			t.Fatalf("boto3 over https: %v\n%s\n%s", err, stdout, stderr)
		}
		iss.awsOK(t, "admin-get-user", "--user-pool-id", iss.PoolID, "--username", username)

		// Without the CA, the AWS CLI refuses the certificate.
		untrusted := *iss
		untrusted.caFile = ""
		_, stderr, err = untrusted.run(t, "", awsCLI, "cognito-idp", "admin-get-user", "--user-pool-id", iss.PoolID,
			"--username", username, "--endpoint-url", iss.Endpoint)
		if err == nil || !strings.Contains(strings.ToLower(stderr), "ssl") {
			t.Fatalf("the AWS CLI trusted the local CA without being told to (%v): %s", err, stderr)
		}
	})
}
