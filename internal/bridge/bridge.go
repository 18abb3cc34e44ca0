// Package bridge lets the module's verifiers outside the root package
// build the root package's Claims, whose raw payload is unexported so
// that no caller can change what Get, Attribute and Decode read. The root
// package sets the functions when it is initialised; nothing outside the
// module can import this package.
package bridge

// SetClaimsPayload stores the validated payload a *cognitojwt.Claims
// reads its other claims from. c must be a *cognitojwt.Claims.
var SetClaimsPayload func(c any, payload string)
