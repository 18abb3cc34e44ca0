// Package bridge lets the module's verifiers outside the root package
// build the root package's Claims, whose raw payload is unexported so
// that no caller can change what Get, Attribute and Decode read. The root
// package sets the functions when it is initialised; nothing outside the
// module can import this package.
package bridge

import "github.com/cognitojwt/cognitojwt/internal/jsonscan"

// SetClaimsPayload stores the validated payload a *cognitojwt.Claims
// reads its other claims from. c must be a *cognitojwt.Claims.
var SetClaimsPayload func(c any, payload string)

// ReadClaim reads one payload member into a *cognitojwt.Claims as the root
// verifier reads the claims both token formats share, and refuses a member
// name that folds to a Cognito claim name without being it; the error
// wraps ErrMalformedToken. c must be a *cognitojwt.Claims.
var ReadClaim func(c any, m jsonscan.Member) error
