package main

import (
	"context"
	"go.uber.org/goleak"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
	"github.com/cognitojwt/cognitojwt/cognitotest"
)

const methodARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders/42"

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newTestAuthorizer(t *testing.T, policy authz.Policy) (*authorizer, *cognitotest.Issuer) {
	t.Helper()
	iss := cognitotest.NewIssuer(t)
	v, err := cognitojwt.New(iss.Config("app"))
	if err != nil {
		t.Fatal(err)
	}
	return &authorizer{verifier: v, policy: policy, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, iss
}

func authorize(a *authorizer, token string) (events.APIGatewayCustomAuthorizerResponse, error) {
	return a.handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: token, MethodArn: methodARN,
	})
}

func TestAuthorizerAllowsAValidTokenWithClaimsInContext(t *testing.T) {
	a, iss := newTestAuthorizer(t, nil)
	tok := iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithSubject("user-1"),
		cognitotest.WithGroups("admin", "ops"), cognitotest.WithScopes("orders/read", "orders/write"))
	for _, header := range []string{"Bearer " + tok, "bearer  " + tok, tok} {
		resp, err := authorize(a, header)
		if err != nil {
			t.Fatalf("%q: %v", header[:7], err)
		}
		if resp.PrincipalID != "user-1" {
			t.Fatalf("principal %q", resp.PrincipalID)
		}
		st := resp.PolicyDocument.Statement
		if len(st) != 1 || st[0].Effect != "Allow" || st[0].Action[0] != "execute-api:Invoke" {
			t.Fatalf("policy %+v", resp.PolicyDocument)
		}
		if got := st[0].Resource[0]; got != "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/*" {
			t.Fatalf("resource %q", got)
		}
		want := map[string]any{"sub": "user-1", "username": "alice", "client_id": "app", "token_use": "access",
			"scope": "orders/read orders/write", "groups": "admin ops"}
		for k, v := range want {
			if resp.Context[k] != v {
				t.Fatalf("context %s = %v, want %v", k, resp.Context[k], v)
			}
		}
		for k, v := range resp.Context {
			switch v.(type) {
			case string, int64, bool:
			default:
				t.Fatalf("context %s has type %T, which API Gateway refuses", k, v)
			}
		}
	}
}

func TestAuthorizerRejectsBadTokensWithUnauthorized(t *testing.T) {
	a, iss := newTestAuthorizer(t, nil)
	other := cognitotest.NewIssuer(t, cognitotest.WithPoolID("eu-west-1_Other"))
	for name, tok := range map[string]string{
		"empty":        "",
		"garbage":      "Bearer nope",
		"expired":      iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithLifetime(-time.Minute)),
		"other client": iss.AccessToken(cognitotest.WithClientID("someone-else")),
		"id token":     iss.IDToken(cognitotest.WithClientID("app")),
		"other pool":   other.AccessToken(cognitotest.WithClientID("app")),
		"basic scheme": "Basic dXNlcjpwdw==",
	} {
		_, err := authorize(a, tok)
		if err == nil || err.Error() != "Unauthorized" {
			t.Errorf("%s: got %v, want the exact error Unauthorized", name, err)
		}
	}
}

func TestAuthorizerDeniesOutsideTheRequiredGroup(t *testing.T) {
	a, iss := newTestAuthorizer(t, authz.InAnyGroup("admin"))
	resp, err := authorize(a, iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithGroups("users")))
	if err != nil {
		t.Fatal(err)
	}
	if resp.PolicyDocument.Statement[0].Effect != "Deny" {
		t.Fatalf("effect %q, want Deny", resp.PolicyDocument.Statement[0].Effect)
	}
	resp, err = authorize(a, iss.AccessToken(cognitotest.WithClientID("app"), cognitotest.WithGroups("admin")))
	if err != nil || resp.PolicyDocument.Statement[0].Effect != "Allow" {
		t.Fatalf("admin: %v %+v", err, resp.PolicyDocument)
	}
}

// An outage of the key endpoint must not look like a bad token: API
// Gateway answers 500 for any error but "Unauthorized", and clients retry.
func TestAuthorizerReportsKeyOutageAsAnError(t *testing.T) {
	a, iss := newTestAuthorizer(t, nil)
	iss.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	_, err := authorize(a, iss.AccessToken(cognitotest.WithClientID("app")))
	if err == nil || err.Error() == "Unauthorized" {
		t.Fatalf("got %v, want an error other than Unauthorized", err)
	}
}

func TestStageWildcard(t *testing.T) {
	for in, want := range map[string]string{
		methodARN: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/*",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/*",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod":      "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod",
		"not-an-arn/prod/GET/x": "not-an-arn/prod/GET/x",
		"":                      "",
	} {
		if got := stageWildcard(in); got != want {
			t.Errorf("stageWildcard(%q) = %q, want %q", in, got, want)
		}
	}
}
