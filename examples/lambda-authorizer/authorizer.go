package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
)

// errUnauthorized is the one error text API Gateway turns into 401; any
// other error becomes 500, which is what an outage of the key endpoint
// should be, so that clients retry instead of signing in again.
var errUnauthorized = errors.New("Unauthorized")

// authorizer is a REST API TOKEN authorizer: it verifies the bearer token
// with cognitojwt and answers with an IAM policy for the API stage and the
// verified claims in the context, which integrations read from
// $context.authorizer.* (or requestContext.authorizer in a proxy event).
type authorizer struct {
	verifier cognitojwt.TokenVerifier
	// policy, when set, decides between Allow and an explicit Deny (403)
	// for a valid token.
	policy authz.Policy
	logger *slog.Logger
}

func (a *authorizer) handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	token := req.AuthorizationToken
	if scheme, rest, ok := strings.Cut(token, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimLeft(rest, " ")
	}
	claims, err := a.verifier.Verify(ctx, token)
	if err != nil {
		a.logger.InfoContext(ctx, "token rejected", "kind", cognitojwt.ErrorCode(err), "detail", err.Error())
		switch {
		case errors.Is(err, cognitojwt.ErrKeysUnavailable):
			return events.APIGatewayCustomAuthorizerResponse{}, errors.New("signing keys unavailable")
		case errors.Is(err, cognitojwt.ErrCanceled):
			// The invocation ended while the keys were being fetched: the
			// token was not judged, and a 401 would sign the user out.
			return events.APIGatewayCustomAuthorizerResponse{}, errors.New("verification did not finish")
		}
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	effect := "Allow"
	if a.policy != nil && !a.policy(claims) {
		effect = "Deny"
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: claims.Subject,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: []string{stageWildcard(req.MethodArn)},
			}},
		},
		// Context values must be strings, numbers or booleans. Cognito
		// group names hold no spaces, so joining them with one is lossless.
		Context: map[string]any{
			"sub":       claims.Subject,
			"username":  claims.Username,
			"client_id": claims.ClientID,
			"token_use": string(claims.TokenUse),
			"scope":     strings.Join(claims.Scopes.Slice(), " "),
			"groups":    strings.Join(claims.Groups.Slice(), " "),
			"exp":       claims.ExpiresAt.Unix(),
		},
	}, nil
}

// stageWildcard widens a method ARN,
// arn:aws:execute-api:{region}:{account}:{api}/{stage}/{method}/{path}, to
// every method of the stage. API Gateway caches the policy by token (when
// authorizer caching is on) and reuses it for other routes, so a policy
// naming one method would deny the next route the same token calls.
func stageWildcard(methodARN string) string {
	parts := strings.SplitN(methodARN, "/", 3)
	if len(parts) < 3 || !strings.HasPrefix(parts[0], "arn:") || parts[1] == "" {
		return methodARN
	}
	return parts[0] + "/" + parts[1] + "/*"
}
