package main

import (
	"context"
	"encoding/json"
	"go.uber.org/goleak"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// event is a payload 2.0 request as an HTTP API with a JWT authorizer
// sends it (trimmed), claims flattened to strings.
const event = `{
  "version": "2.0",
  "routeKey": "GET /me",
  "rawPath": "/me",
  "headers": {"authorization": "Bearer eyJ..."},
  "requestContext": {
    "apiId": "abcdef123",
    "authorizer": {
      "jwt": {
        "claims": {
          "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
          "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
          "client_id": "1example23456789",
          "token_use": "access",
          "scope": "aws.cognito.signin.user.admin",
          "auth_time": "1750000000",
          "exp": "1750003600",
          "iat": "1750000000",
          "jti": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
          "username": "alice",
          "version": "2",
          "cognito:groups": "[support users]",
          "custom:tenant_id": "acme"
        },
        "scopes": ["aws.cognito.signin.user.admin"]
      }
    },
    "http": {"method": "GET", "path": "/me"},
    "requestId": "id",
    "routeKey": "GET /me",
    "stage": "$default"
  },
  "isBase64Encoded": false
}`

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func decodeEvent(t *testing.T, edit func(map[string]string)) events.APIGatewayV2HTTPRequest {
	t.Helper()
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal([]byte(event), &req); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(req.RequestContext.Authorizer.JWT.Claims)
	}
	return req
}

func TestHandlerReadsFlattenedClaims(t *testing.T) {
	resp, err := handle(context.Background(), decodeEvent(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	var body struct {
		User   string   `json:"user"`
		Groups []string `json:"groups"`
		Tenant string   `json:"tenant"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatal(err)
	}
	if body.User != "alice" || body.Tenant != "acme" || len(body.Groups) != 2 || body.Groups[0] != "support" || body.Groups[1] != "users" {
		t.Fatalf("body %+v", body)
	}
}

func TestHandlerRefusesWithoutUsableClaims(t *testing.T) {
	resp, err := handle(context.Background(), decodeEvent(t, func(c map[string]string) { c["cognito:groups"] = "[users]" }))
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("not in group: %v %d", err, resp.StatusCode)
	}
	resp, err = handle(context.Background(), decodeEvent(t, func(c map[string]string) { c["exp"] = "soon" }))
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("malformed claims: %v %d", err, resp.StatusCode)
	}
	var bare events.APIGatewayV2HTTPRequest
	resp, err = handle(context.Background(), bare)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no authorizer: %v %d", err, resp.StatusCode)
	}
}
