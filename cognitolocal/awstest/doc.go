// Package awstest drives the local user pool (cognitolocal) with the real
// AWS SDK for Go v2 Cognito client and golang.org/x/oauth2, so that code
// written against a real user pool is known to work unchanged against the
// emulator. It is a test-only module: the library's go.mod does not carry
// the SDK.
package awstest
