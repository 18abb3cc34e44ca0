// Command pretokengen is an Amazon Cognito pre-token-generation trigger
// (event version V2_0) that copies two user attributes into the access
// token, so that an API can decide from the token alone, with no
// UserInfo or GetUser call:
//
//	birthdate          → birthdate   (for cognitojwt.AgeAtLeast)
//	custom:department  → department
//
// Cognito's access tokens carry no user attributes without such a
// trigger; ID tokens carry them already. The handler is in package
// trigger, so that tests run it in-process against the local user pool
// (cognitolocal.Config.PreTokenGeneration) exactly as Lambda runs it.
//
// Build for the provided.al2023 runtime and attach it to the user pool as
// its pre-token-generation trigger, event version V2_0 (Essentials or Plus
// feature plan):
//
//	GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap .
//
// Locally, "cognitojwt dev-issuer --pre-token-generation URL" calls a
// trigger served over HTTP instead.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitojwt/cognitojwt/examples/pretokengen/trigger"
)

func main() {
	lambda.Start(trigger.AddProfileClaims)
}
