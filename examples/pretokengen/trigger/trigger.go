// Package trigger is a pre-token-generation trigger that adds the user's
// birthdate and department to the access token.
package trigger

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// copied maps user attributes to the access-token claims they become.
var copied = []struct{ attribute, claim string }{
	{"birthdate", "birthdate"},
	{"custom:department", "department"},
}

// AddProfileClaims adds to the access token a claim for each of the
// attributes above that the user has. An absent attribute adds no claim:
// an empty birthdate would read as "no birthdate" anyway, and a policy
// should see the difference between "unknown" and "empty".
//
// Its signature is the one lambda.Start accepts and the one
// cognitolocal.Trigger has, so the same function runs in Lambda and in
// tests.
func AddProfileClaims(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	add := map[string]any{}
	for _, c := range copied {
		if v := ev.Request.UserAttributes[c.attribute]; v != "" {
			add[c.claim] = v
		}
	}
	if len(add) > 0 {
		ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = add
	}
	return ev, nil
}
