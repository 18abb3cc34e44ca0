// Command lambda-authorizer is an API Gateway REST API Lambda authorizer
// (TOKEN type) that verifies Cognito access tokens with cognitojwt and
// returns an IAM policy with the verified claims in its context.
//
// Configuration, from the function's environment:
//
//	COGNITO_USER_POOL_ID   us-east-1_AbC123 (required)
//	COGNITO_CLIENT_IDS     comma-separated app clients (required)
//	REQUIRED_GROUP         optional: valid tokens outside it get an explicit Deny (403)
//
// Build for the provided.al2023 runtime:
//
//	GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap .
//
// The verifier lives in a package variable, so its keys survive between
// invocations of one execution environment. It is warmed during the init
// phase: the first JWKS fetch (one HTTPS request to Cognito, typically tens
// of milliseconds) is paid before the first request rather than by it.
package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/authz"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	verifier, err := cognitojwt.New(cognitojwt.Config{
		UserPoolID: os.Getenv("COGNITO_USER_POOL_ID"),
		ClientIDs:  splitList(os.Getenv("COGNITO_CLIENT_IDS")),
		// A short cooldown: should the fetch at init fail, the next
		// invocations try again soon instead of failing for 10s.
		RefetchCooldown: 2 * time.Second,
		Logger:          logger,
	})
	if err != nil {
		logger.Error("configuration", "error", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	if err := verifier.Warm(ctx); err != nil {
		// Not fatal: the keys are fetched again on first use.
		logger.Warn("warming the JWKS at init failed", "error", err)
	}
	cancel()

	a := &authorizer{verifier: verifier, logger: logger}
	if g := os.Getenv("REQUIRED_GROUP"); g != "" {
		a.policy = authz.InAnyGroup(g)
	}
	lambda.Start(a.handle)
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
