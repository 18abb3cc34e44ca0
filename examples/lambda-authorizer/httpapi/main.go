// Command httpapi is a Lambda integration of an API Gateway HTTP API route
// protected by a JWT authorizer. The gateway has verified the Cognito token
// already and passes its claims as strings, arrays flattened ("[admin
// users]"); apigateway.Claims turns them back into Claims, so
// the same policies as behind Middleware apply.
//
// It verifies nothing itself: deploy it only behind the JWT authorizer.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/apigateway"
	"github.com/cognitojwt/cognitojwt/authz"
)

func main() {
	lambda.Start(handle)
}

func handle(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var claims map[string]string
	if jwt := req.RequestContext.Authorizer; jwt != nil && jwt.JWT != nil {
		claims = jwt.JWT.Claims
	}
	c, err := apigateway.Claims(claims)
	if err != nil {
		// No or unusable claims means the route is not behind the
		// authorizer: refuse rather than serve anonymously.
		status := http.StatusUnauthorized
		if !errors.Is(err, cognitojwt.ErrNoToken) {
			status = http.StatusForbidden
		}
		return respond(status, map[string]string{"error": http.StatusText(status)})
	}
	if !authz.InAnyGroup("admin", "support")(c) {
		return respond(http.StatusForbidden, map[string]string{"error": "insufficient_scope"})
	}
	tenant, _ := c.Attribute("tenant_id")
	return respond(http.StatusOK, map[string]any{
		"sub":    c.Subject,
		"user":   c.Username,
		"groups": c.Groups,
		"tenant": tenant,
	})
}

func respond(status int, body any) (events.APIGatewayV2HTTPResponse, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}, nil
}
