// Package apigateway reads the claims an API Gateway HTTP API JWT
// authorizer has already checked, for Lambda functions behind one: the
// gateway verified the token, and the function needs typed
// cognitojwt.Claims for the same policies and handlers a service that
// verifies tokens itself uses.
package apigateway

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cognitojwt/cognitojwt"
	"github.com/cognitojwt/cognitojwt/internal/errs"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// Claims rebuilds typed cognitojwt.Claims from the claims an API Gateway
// HTTP API JWT authorizer hands to the integration
// (requestContext.authorizer.jwt.claims in the payload 2.0 event, a
// map[string]string in github.com/aws/aws-lambda-go/events).
//
// It verifies nothing: the gateway checked the signature, issuer, audience
// and lifetime before invoking the function. Use it only in functions that
// sit behind a JWT authorizer; anywhere else the map is whatever the caller
// sent. It checks only that the map has the shape of a Cognito token's
// claims, strictly:
//
//   - exp, iat, nbf and auth_time are decimal integer strings, version a
//     non-negative integer, email_verified and phone_number_verified
//     "true" or "false";
//   - cognito:groups and cognito:roles are arrays in the one form the
//     gateway renders them: "[admin users]", the elements as they are (no
//     quotes, no escapes) joined by single spaces, "[]" when empty. A
//     group literally named "admin" with its quotes reads as `"admin"`,
//     never as admin;
//   - exp, iss and token_use ("access" or "id") are present.
//
// That form cannot be read back unambiguously for every name: ["a b"] and
// ["a","b"] both render as "[a b]", and a nested array as a name in
// brackets. Cognito group names hold no white space (CreateGroup's
// pattern is [\p{L}\p{M}\p{S}\p{N}\p{P}]+), so an element that is empty
// or holds white space, a control or format character, "[" or "]" is
// refused rather than guessed at: a pool whose group names contain
// brackets must verify the token itself (a Verifier in the function)
// instead of reading the gateway's claims.
//
// Anything else is cognitojwt.ErrMalformedToken (ErrWrongIssuer for a
// missing iss, ErrWrongTokenUse for a missing or unknown token_use); an
// empty map, as a route without an authorizer gets, is ErrNoToken. Other claims keep their
// string values for Get, Attribute and Decode, including arrays the
// gateway flattened beyond recovery (identities).
func Claims(claims map[string]string) (*cognitojwt.Claims, error) {
	if len(claims) == 0 {
		return nil, errs.New(cognitojwt.ErrNoToken, "no authorizer claims; is the route behind a JWT authorizer?")
	}
	rebuilt := make(map[string]any, len(claims))
	for name, value := range claims {
		if !utf8.ValidString(name) || !utf8.ValidString(value) {
			return nil, errs.New(cognitojwt.ErrMalformedToken, "claim is not valid UTF-8")
		}
		var v any = value
		var err error
		switch name {
		case "exp", "iat", "nbf", "auth_time":
			v, err = gatewayNumericDate(value)
		case "version":
			v, err = gatewayVersion(value)
		case "email_verified", "phone_number_verified":
			switch value {
			case "true":
				v = true
			case "false":
				v = false
			default:
				err = errBadBool
			}
		case "cognito:groups", "cognito:roles":
			v, err = gatewayList(value)
		}
		if err != nil {
			return nil, errs.Newf(cognitojwt.ErrMalformedToken, "claim %q: %v", name, err)
		}
		rebuilt[name] = v
	}
	payload, err := json.Marshal(rebuilt)
	if err != nil {
		return nil, errs.Newf(cognitojwt.ErrMalformedToken, "claims: %v", err)
	}
	// The shared claims are read as Verify reads them, name folding
	// refused included; the token's own are taken from the map, whose
	// values are strings, as Verify takes them from a token.
	c, err := cognitojwt.ClaimsFromUserInfo(string(payload))
	if err != nil {
		return nil, err
	}
	c.TokenUse = cognitojwt.TokenUse(claims["token_use"])
	switch {
	case claims["exp"] == "":
		return nil, errNoExp
	case c.Issuer == "":
		return nil, errNoIssuer
	case c.TokenUse == "":
		return nil, errNoUse
	case c.TokenUse == cognitojwt.IDToken:
		c.Username, c.ClientID = claims["cognito:username"], claims["aud"]
	case c.TokenUse == cognitojwt.AccessToken:
		c.ClientID = claims["client_id"]
	default:
		return nil, errTokenUse
	}
	c.JWTID, c.OriginJTI, c.EventID = claims["jti"], claims["origin_jti"], claims["event_id"]
	if v, ok := rebuilt["version"].(int64); ok {
		c.Version = int(v)
	}
	c.Scopes = cognitojwt.NamesOf(rules.SplitScopes(claims["scope"])...)
	return c, nil
}

var (
	errNoExp    = errs.New(cognitojwt.ErrMalformedToken, `claim "exp" is required`)
	errNoIssuer = errs.New(cognitojwt.ErrWrongIssuer, "iss is missing")
	errNoUse    = errs.New(cognitojwt.ErrWrongTokenUse, "token_use is missing")
	errTokenUse = errs.New(cognitojwt.ErrWrongTokenUse, "token_use is not the accepted one")
)

type gatewayError string

func (e gatewayError) Error() string { return string(e) }

const (
	errBadBool   gatewayError = "not \"true\" or \"false\""
	errBadNumber gatewayError = "not a decimal integer"
	errBadList   gatewayError = "not a flattened array"

	errAmbiguousList gatewayError = "a flattened array element is empty or holds white space, a control character or a bracket"
)

// gatewayNumericDate parses the decimal seconds the gateway writes for a
// NumericDate, within the bounds Verify applies.
func gatewayNumericDate(s string) (int64, error) {
	n, err := parseDecimal(s)
	if err != nil {
		return 0, err
	}
	if n > rules.MaxNumericDate || n < rules.MinNumericDate {
		return 0, rules.ErrOutOfRange
	}
	return n, nil
}

func gatewayVersion(s string) (int64, error) {
	n, err := parseDecimal(s)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return 0, errBadNumber
	}
	return n, nil
}

// parseDecimal accepts an optional minus and ASCII digits only: no plus
// sign, spaces, underscores, exponents or fractions.
func parseDecimal(s string) (int64, error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, errBadNumber
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errBadNumber
	}
	return n, nil
}

// gatewayList reads an array as the gateway renders it, "[a b c]", and
// refuses what that form leaves ambiguous (see Claims).
// Measured on real HTTP APIs: cognito:groups of ["admin","poweruser"]
// arrives as "[admin poweruser]" (floci-io/floci#2011, checked against an
// HTTP API with a Cognito pool; aws-solutions-library-samples
// guidance-for-claude-code-with-amazon-bedrock#802).
func gatewayList(s string) ([]string, error) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, errBadList
	}
	inner := s[1 : len(s)-1]
	if inner == "" {
		return []string{}, nil
	}
	list := strings.Split(inner, " ")
	for _, e := range list {
		if e == "" || strings.ContainsAny(e, "[]") || strings.IndexFunc(e, ambiguousRune) >= 0 {
			return nil, errAmbiguousList
		}
	}
	return list, nil
}

// ambiguousRune reports white space, separators, and control and format
// characters: none can be in a Cognito group name, and white space is
// the gateway's separator.
func ambiguousRune(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Z, unicode.C)
}
