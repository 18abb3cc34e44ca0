// Package conformance holds the conformance suite of the local user pool
// (cognitolocal, served by "cognitojwt dev-issuer"): every case starts a
// dev-issuer on a free loopback port and drives it with a client this
// project did not write — the AWS CLI v2, boto3, the AWS SDK for
// JavaScript v3, amazon-cognito-identity-js and Amplify JS v6 — asserting
// what Amazon Cognito documents, with the page cited beside each case.
//
// It is a module of its own, run by the conformance step of .ci/run and
// not by the root module's go test ./..., since it needs those clients
// installed (Debian packages awscli and python3-boto3, and npm ci here).
package conformance
