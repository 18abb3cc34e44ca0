package cognitolocal

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// API Reference pages the tests below follow:
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPoolDomain.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DomainDescriptionType.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserPoolDomain.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteUserPoolDomain.html
//   - https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolType.html (Domain, CustomDomain)

const testCertificate = "arn:aws:acm:us-east-1:123456789012:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE22222"

func describeDomain(t *testing.T, p http.Handler, domain string) map[string]any {
	t.Helper()
	status, out := call(t, p, "DescribeUserPoolDomain", map[string]any{"Domain": domain})
	require.Equal(t, http.StatusOK, status, out)
	return out["DomainDescription"].(map[string]any)
}

func describePool(t *testing.T, p http.Handler, id string) map[string]any {
	t.Helper()
	status, out := call(t, p, "DescribeUserPool", map[string]any{"UserPoolId": id})
	require.Equal(t, http.StatusOK, status, out)
	return out["UserPool"].(map[string]any)
}

func TestCreateUserPoolDomainPrefix(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app"})
	require.Equal(t, http.StatusOK, status, out)
	// CloudFrontDomain: "Amazon Cognito returns this value if you set a
	// custom domain with CustomDomainConfig" — not for a prefix domain.
	require.NotContains(t, out, "CloudFrontDomain")
	require.EqualValues(t, 1, out["ManagedLoginVersion"])
	d := describeDomain(t, p, "my-app")
	require.Equal(t, DefaultPoolID, d["UserPoolId"])
	require.Equal(t, "my-app", d["Domain"])
	require.Equal(t, "ACTIVE", d["Status"], "Terraform waits for ACTIVE after CreateUserPoolDomain")
	require.Equal(t, "000000000000", d["AWSAccountId"])
	require.Regexp(t, `^\d{14}$`, d["Version"])
	require.Equal(t, map[string]any{}, d["CustomDomainConfig"])
	require.NotContains(t, d, "CloudFrontDistribution")
	// UserPoolType.Domain is the prefix; CustomDomain is absent.
	up := describePool(t, p, DefaultPoolID)
	require.Equal(t, "my-app", up["Domain"])
	require.NotContains(t, up, "CustomDomain")
}

func TestCreateUserPoolDomainCustom(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "CreateUserPoolDomain", map[string]any{
		"UserPoolId": DefaultPoolID, "Domain": "auth.example.com", "CustomDomainConfig": map[string]any{"CertificateArn": testCertificate},
		"ManagedLoginVersion": 2,
	})
	require.Equal(t, http.StatusOK, status, out)
	// The alias target is the address that serves the pool's pages.
	require.Equal(t, "127.0.0.1:9229", out["CloudFrontDomain"])
	require.EqualValues(t, 2, out["ManagedLoginVersion"])
	d := describeDomain(t, p, "auth.example.com")
	require.Equal(t, map[string]any{"CertificateArn": testCertificate}, d["CustomDomainConfig"])
	require.Equal(t, "127.0.0.1:9229", d["CloudFrontDistribution"])
	require.EqualValues(t, 2, d["ManagedLoginVersion"])
	// A pool has one prefix domain and one custom domain beside it.
	status, _ = call(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app"})
	require.Equal(t, http.StatusOK, status)
	up := describePool(t, p, DefaultPoolID)
	require.Equal(t, "auth.example.com", up["CustomDomain"])
	require.Equal(t, "my-app", up["Domain"])
}

func TestDescribeUserPoolDomainUnknownIsEmpty(t *testing.T) {
	p := newPool(t, Config{})
	// Cognito answers a domain no pool has with an empty
	// DomainDescription, not an error: Terraform's
	// aws_cognito_user_pool_domain reads {"DomainDescription": {}} as
	// "not found" (the API reference is silent).
	require.Equal(t, map[string]any{}, describeDomain(t, p, "nobody-has-this"))
	requireAPIError(t, p, "DescribeUserPoolDomain", map[string]any{}, codeInvalidParameter,
		"1 validation error detected: Value at 'domain' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "DescribeUserPoolDomain", map[string]any{"Domain": strings.Repeat("a", 64)}, codeInvalidParameter,
		"1 validation error detected: Value at 'domain' failed to satisfy constraint: Member must have length less than or equal to 63")
}

func TestCreateUserPoolDomainRefusals(t *testing.T) {
	p := newPool(t, Config{})
	other := createPool(t, p, map[string]any{"PoolName": "other"})["Id"].(string)
	create := func(pool, domain string, extra map[string]any) map[string]any {
		in := map[string]any{"UserPoolId": pool, "Domain": domain}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	// Domain: pattern ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$, worded as
	// Cognito words it (mineiros-io/terraform-aws-cognito-user-pool#69).
	for _, bad := range []string{"My-App", "-app", "app-", "a_b", "auth.example.com", "a b"} {
		requireAPIError(t, p, "CreateUserPoolDomain", create(DefaultPoolID, bad, nil), codeInvalidParameter, errDomainCharacters.Message)
	}
	requireAPIError(t, p, "CreateUserPoolDomain", create(DefaultPoolID, "my-cognito-app", nil), codeInvalidParameter, "")
	// A custom domain is a fully qualified name with a certificate ARN.
	cert := map[string]any{"CustomDomainConfig": map[string]any{"CertificateArn": testCertificate}}
	requireAPIError(t, p, "CreateUserPoolDomain", create(DefaultPoolID, "localhost", cert), codeInvalidParameter, "")
	requireAPIError(t, p, "CreateUserPoolDomain", create(DefaultPoolID, "Auth.Example.com", cert), codeInvalidParameter, errDomainCharacters.Message)
	requireAPIError(t, p, "CreateUserPoolDomain", create(DefaultPoolID, "auth.example.com", map[string]any{"CustomDomainConfig": map[string]any{}}), codeInvalidParameter,
		"1 validation error detected: Value at 'customDomainConfig.certificateArn' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "CreateUserPoolDomain", create(DefaultPoolID, "auth.example.com", map[string]any{"CustomDomainConfig": map[string]any{"CertificateArn": "not-a-certificate-arn-at-all"}}), codeInvalidParameter, "")
	requireAPIError(t, p, "CreateUserPoolDomain", create(DefaultPoolID, "my-app", map[string]any{"ManagedLoginVersion": 3}), codeInvalidParameter, "")
	requireAPIError(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID}, codeInvalidParameter,
		"1 validation error detected: Value at 'domain' failed to satisfy constraint: Member must not be null")
	requireAPIError(t, p, "CreateUserPoolDomain", create("us-east-1_Nobody", "my-app", nil), codeResourceNotFound, "")

	// A name belongs to one pool: "Domain already associated with another
	// user pool." (InvalidParameterException, as CloudFormation and
	// Terraform report it).
	status, _ := call(t, p, "CreateUserPoolDomain", create(DefaultPoolID, "my-app", nil))
	require.Equal(t, http.StatusOK, status)
	requireAPIError(t, p, "CreateUserPoolDomain", create(other, "my-app", nil), codeInvalidParameter, "Domain already associated with another user pool.")
	// A pool has one prefix domain.
	requireAPIError(t, p, "CreateUserPoolDomain", create(DefaultPoolID, "my-other-app", nil), codeInvalidParameter, "User pool already has a domain configured.")
	require.Equal(t, map[string]any{}, describeDomain(t, p, "my-other-app"), "a refused domain is not kept")
	require.NotContains(t, describePool(t, p, other), "Domain")
}

func TestUpdateUserPoolDomain(t *testing.T) {
	p := newPool(t, Config{})
	call(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "auth.example.com", "CustomDomainConfig": map[string]any{"CertificateArn": testCertificate}})
	call(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app"})
	// UpdateUserPoolDomain: a custom domain's certificate, or the
	// domain's managed login version.
	newCert := strings.Replace(testCertificate, "EXAMPLE22222", "EXAMPLE33333", 1)
	status, out := call(t, p, "UpdateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "auth.example.com", "CustomDomainConfig": map[string]any{"CertificateArn": newCert}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "127.0.0.1:9229", out["CloudFrontDomain"])
	require.Equal(t, map[string]any{"CertificateArn": newCert}, describeDomain(t, p, "auth.example.com")["CustomDomainConfig"])
	status, out = call(t, p, "UpdateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app", "ManagedLoginVersion": 2})
	require.Equal(t, http.StatusOK, status, out)
	require.EqualValues(t, 2, describeDomain(t, p, "my-app")["ManagedLoginVersion"])
	// Refusals: a certificate for a prefix domain, a bad version, a
	// domain the pool does not have.
	requireAPIError(t, p, "UpdateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app", "CustomDomainConfig": map[string]any{"CertificateArn": newCert}}, codeInvalidParameter, "")
	requireAPIError(t, p, "UpdateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app", "ManagedLoginVersion": 0}, codeInvalidParameter, "")
	requireAPIError(t, p, "UpdateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "nobody"}, codeInvalidParameter, errNoSuchDomain.Message)
	require.EqualValues(t, 2, describeDomain(t, p, "my-app")["ManagedLoginVersion"], "a refused update changes nothing")
}

func TestDeleteUserPoolDomain(t *testing.T) {
	p := newPool(t, Config{})
	other := createPool(t, p, map[string]any{"PoolName": "other"})["Id"].(string)
	call(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app"})
	// Another pool cannot delete it; Terraform treats "No such domain"
	// (InvalidParameterException) as already deleted.
	requireAPIError(t, p, "DeleteUserPoolDomain", map[string]any{"UserPoolId": other, "Domain": "my-app"}, codeInvalidParameter, errNoSuchDomain.Message)
	require.Contains(t, errNoSuchDomain.Message, "No such domain")
	status, out := call(t, p, "DeleteUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app"})
	require.Equal(t, http.StatusOK, status, out)
	require.Empty(t, out)
	require.Equal(t, map[string]any{}, describeDomain(t, p, "my-app"))
	require.NotContains(t, describePool(t, p, DefaultPoolID), "Domain")
	requireAPIError(t, p, "DeleteUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app"}, codeInvalidParameter, errNoSuchDomain.Message)
	// Freed, the name can go to another pool.
	status, _ = call(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": other, "Domain": "my-app"})
	require.Equal(t, http.StatusOK, status)
}

func TestDomainsSurviveUpdateUserPoolAndRestart(t *testing.T) {
	p := newPool(t, Config{})
	call(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app"})
	// UpdateUserPool resets omitted settings, but a domain is no setting
	// of UpdateUserPoolRequest.
	status, _ := call(t, p, "UpdateUserPool", map[string]any{"UserPoolId": DefaultPoolID})
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "my-app", describePool(t, p, DefaultPoolID)["Domain"])
	var buf bytes.Buffer
	require.NoError(t, p.SaveState(&buf))
	q := newPoolEmpty(t)
	require.NoError(t, q.LoadState(&buf))
	require.Equal(t, DefaultPoolID, describeDomain(t, q, "my-app")["UserPoolId"])
	require.Equal(t, "my-app", describePool(t, q, DefaultPoolID)["Domain"])
}

func TestLoadStateRefusesTwoPoolsOfOneDomain(t *testing.T) {
	p := newPool(t, Config{})
	call(t, p, "CreateUserPoolDomain", map[string]any{"UserPoolId": DefaultPoolID, "Domain": "my-app"})
	var buf bytes.Buffer
	require.NoError(t, p.Service().SaveState(&buf))
	// A service whose other pool has the name already: loading would give
	// the name to two pools, which CreateUserPoolDomain never does.
	q := newPoolEmpty(t)
	other := createPool(t, q, map[string]any{"PoolName": "other"})["Id"].(string)
	status, out := call(t, q, "CreateUserPoolDomain", map[string]any{"UserPoolId": other, "Domain": "my-app"})
	require.Equal(t, http.StatusOK, status, out)
	require.EqualError(t, q.Service().LoadState(bytes.NewReader(buf.Bytes())), "cognitolocal: state gives two pools one domain")
	require.EqualError(t, q.LoadState(bytes.NewReader(buf.Bytes())), "cognitolocal: state gives two pools one domain")
	require.NotContains(t, describePool(t, q, DefaultPoolID), "Domain", "a refused state changes nothing")
	// Freed there, the same state loads.
	call(t, q, "DeleteUserPoolDomain", map[string]any{"UserPoolId": other, "Domain": "my-app"})
	require.NoError(t, q.Service().LoadState(bytes.NewReader(buf.Bytes())))
	require.Equal(t, DefaultPoolID, describeDomain(t, q, "my-app")["UserPoolId"])
}
