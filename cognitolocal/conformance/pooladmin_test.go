package conformance

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The pool administration that infrastructure tools (Terraform's AWS
// provider, CloudFormation, CDK) do after creating a pool, through the
// AWS CLI v2: tags and domains. Pages are cited as in awscli_test.go.

func TestAWSCLIPoolAdministration(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)

	// API_CreateUserPool, UserPoolTags: the tags given at creation are the
	// pool's; DescribeUserPool answers them (API_UserPoolType,
	// UserPoolTags) with the pool's Arn. API_TagResource adds tags to the
	// pool the ARN names, API_ListTagsForResource lists them,
	// API_UntagResource removes the keys given. An ARN of no pool answers
	// ResourceNotFoundException (Errors of each).
	runCase(t, "aws", "user_pool_tags", "", func(t *testing.T) {
		iss := startIssuer(t)
		created := iss.awsOK(t, "create-user-pool", "--pool-name", "tagged", "--user-pool-tags", "owner=ops")
		arn, _ := path(t, created, "UserPool", "Arn").(string)
		if arn == "" {
			t.Fatalf("no Arn: %v", created)
		}
		iss.awsOK(t, "tag-resource", "--resource-arn", arn, "--tags", "env=test,team=auth")
		iss.awsOK(t, "untag-resource", "--resource-arn", arn, "--tag-keys", "team")
		listed := iss.awsOK(t, "list-tags-for-resource", "--resource-arn", arn)
		tags, _ := listed["Tags"].(map[string]any)
		if len(tags) != 2 || tags["owner"] != "ops" || tags["env"] != "test" {
			t.Fatalf("Tags %v, want owner=ops and env=test", listed["Tags"])
		}
		id, _ := path(t, created, "UserPool", "Id").(string)
		described := iss.awsOK(t, "describe-user-pool", "--user-pool-id", id)
		if got, _ := path(t, described, "UserPool", "UserPoolTags").(map[string]any); len(got) != 2 || got["env"] != "test" {
			t.Fatalf("UserPoolTags %v, want the pool's two tags", got)
		}
		iss.awsRefused(t, "ResourceNotFoundException", "list-tags-for-resource",
			"--resource-arn", "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Nobody0")
	})

	// API_CreateUserPoolDomain with a prefix (aws-cli example 2), then
	// API_DescribeUserPoolDomain: the domain's pool and Status ACTIVE
	// (API_DomainDescriptionType), which Terraform waits for; the pool's
	// Domain (API_UserPoolType). A second pool asking for the same prefix
	// is refused, "Domain already associated with another user pool."
	// (InvalidParameterException, as CloudFormation reports it). A custom
	// domain with its certificate (aws-cli example 1) answers a
	// CloudFrontDomain; API_UpdateUserPoolDomain changes its certificate.
	// After API_DeleteUserPoolDomain, describing the prefix answers an
	// empty DomainDescription, as Cognito answers an unknown domain.
	runCase(t, "aws", "user_pool_domains", "", func(t *testing.T) {
		iss := startIssuer(t)
		iss.awsOK(t, "create-user-pool-domain", "--user-pool-id", iss.PoolID, "--domain", "my-app")
		d := iss.awsOK(t, "describe-user-pool-domain", "--domain", "my-app")
		if got := path(t, d, "DomainDescription", "Status"); got != "ACTIVE" {
			t.Fatalf("Status %v, want ACTIVE", got)
		}
		if got := path(t, d, "DomainDescription", "UserPoolId"); got != iss.PoolID {
			t.Fatalf("UserPoolId %v, want %s", got, iss.PoolID)
		}
		if got := path(t, iss.awsOK(t, "describe-user-pool", "--user-pool-id", iss.PoolID), "UserPool", "Domain"); got != "my-app" {
			t.Fatalf("UserPool.Domain %v, want my-app", got)
		}
		other, _ := path(t, iss.awsOK(t, "create-user-pool", "--pool-name", "other"), "UserPool", "Id").(string)
		msg := iss.awsRefused(t, "InvalidParameterException", "create-user-pool-domain", "--user-pool-id", other, "--domain", "my-app")
		if msg != "Domain already associated with another user pool." {
			t.Fatalf("message %q", msg)
		}
		cert := "arn:aws:acm:us-east-1:123456789012:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE22222"
		custom := iss.awsOK(t, "create-user-pool-domain", "--user-pool-id", iss.PoolID, "--domain", "auth.example.com",
			"--custom-domain-config", "CertificateArn="+cert)
		if cf, _ := custom["CloudFrontDomain"].(string); cf == "" {
			t.Fatalf("no CloudFrontDomain for a custom domain: %v", custom)
		}
		newCert := cert[:len(cert)-5] + "33333"
		iss.awsOK(t, "update-user-pool-domain", "--user-pool-id", iss.PoolID, "--domain", "auth.example.com",
			"--custom-domain-config", "CertificateArn="+newCert)
		d = iss.awsOK(t, "describe-user-pool-domain", "--domain", "auth.example.com")
		if got := path(t, d, "DomainDescription", "CustomDomainConfig", "CertificateArn"); got != newCert {
			t.Fatalf("CertificateArn %v after the update", got)
		}
		iss.awsOK(t, "delete-user-pool-domain", "--user-pool-id", iss.PoolID, "--domain", "my-app")
		if d := iss.awsOK(t, "describe-user-pool-domain", "--domain", "my-app"); len(d) != 0 {
			if desc, _ := d["DomainDescription"].(map[string]any); len(desc) != 0 {
				t.Fatalf("a deleted domain is described: %v", d)
			}
		}
	})
}

// The classic hosted UI's branding through the AWS CLI v2, as the
// developer guide's "Customizing hosted UI (classic) branding"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/hosted-ui-classic-branding.html)
// shows it: set-ui-customization with --css and --image-file
// fileb://logo.png, then get-ui-customization (API_SetUICustomization,
// API_GetUICustomization, API_UICustomizationType). The pool needs a
// domain first ("To use this API, your user pool must have a domain").
// The sign-in page served for the client carries the CSS and the logo,
// which the dev-issuer serves at ImageUrl. A selector outside the
// documented classes is refused.
func TestAWSCLIUICustomization(t *testing.T) {
	t.Parallel()
	requireClient(t, awsCLI)
	runCase(t, "aws", "ui_customization", "", func(t *testing.T) {
		iss := startIssuer(t)
		const css = ".submitButton-customizable { background-color: #ff9900; }"
		iss.awsRefused(t, "InvalidParameterException", "set-ui-customization", "--user-pool-id", iss.PoolID, "--css", css)
		iss.awsOK(t, "create-user-pool-domain", "--user-pool-id", iss.PoolID, "--domain", "branded")

		img := image.NewRGBA(image.Rect(0, 0, 8, 4))
		img.Set(1, 1, color.RGBA{B: 255, A: 255})
		var logo bytes.Buffer
		if err := png.Encode(&logo, img); err != nil {
			t.Fatal(err)
		}
		logoFile := filepath.Join(t.TempDir(), "logo.png")
		if err := os.WriteFile(logoFile, logo.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		set := iss.awsOK(t, "set-ui-customization", "--user-pool-id", iss.PoolID, "--client-id", iss.ClientID,
			"--css", css, "--image-file", "fileb://"+logoFile)
		got := iss.awsOK(t, "get-ui-customization", "--user-pool-id", iss.PoolID, "--client-id", iss.ClientID)
		for _, m := range []map[string]any{set, got} {
			if path(t, m, "UICustomization", "CSS") != css || path(t, m, "UICustomization", "ClientId") != iss.ClientID ||
				path(t, m, "UICustomization", "UserPoolId") != iss.PoolID {
				t.Fatalf("UICustomization %v", m)
			}
		}
		imageURL, _ := path(t, got, "UICustomization", "ImageUrl").(string)
		if !strings.HasPrefix(imageURL, iss.Endpoint+"/") {
			t.Fatalf("ImageUrl %q is not served by the dev-issuer at %s", imageURL, iss.Endpoint)
		}
		client := iss.httpClient(t)
		served := httpGet(t, client, imageURL)
		if !bytes.Equal(served, logo.Bytes()) {
			t.Fatalf("ImageUrl serves %d bytes, not the logo's %d", len(served), logo.Len())
		}
		q := url.Values{"response_type": {"code"}, "client_id": {iss.ClientID},
			"redirect_uri": {"http://localhost:8080/callback"}, "scope": {"openid"}}
		loginPage := string(httpGet(t, client, iss.Endpoint+"/login?"+q.Encode()))
		u, _ := url.Parse(imageURL)
		for _, want := range []string{css, `class="logo-customizable" src="` + u.Path + `"`, "submitButton-customizable"} {
			if !strings.Contains(loginPage, want) {
				t.Fatalf("the sign-in page lacks %q:\n%s", want, loginPage)
			}
		}
		iss.awsRefused(t, "InvalidParameterException", "set-ui-customization", "--user-pool-id", iss.PoolID,
			"--client-id", "ALL", "--css", "body { color: red }")
	})
}

// httpGet GETs u and returns the body of a 200 answer.
func httpGet(t *testing.T, c *http.Client, u string) []byte {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, b)
	}
	return b
}
