package cognitojwt

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// parsePayload fills c from the decoded payload. Claims Cognito defines
// must have Cognito's JSON types; anything else is ErrMalformedToken. The
// payload is scanned once, and only the claims read here are kept.
func parsePayload(payload string, c *Claims) error {
	var hasExp bool
	var username, cognitoUsername, clientID, scope string
	var aud, groups jsonscan.Value
	var groupCount int
	err := scanPayload(payload, c, func(name string, v jsonscan.Value) (known bool, err error) {
		switch name {
		case "cognito:groups":
			// Checked and counted here, with readSharedClaim's errors,
			// and decoded by namesOf, which gives the groups and the
			// scopes one allocation once the scan has passed.
			groupCount, err = v.CountStrings()
			groups = v
		case "client_id":
			clientID, err = v.AsString()
		case "aud":
			aud = v // its type matters only for ID tokens
		case "token_use":
			var s string
			s, err = v.AsString()
			c.TokenUse = TokenUse(s)
		case "username":
			username, err = v.AsString()
		case "cognito:username":
			cognitoUsername, err = v.AsString()
		case "jti":
			c.JWTID, err = v.AsString()
		case "origin_jti":
			c.OriginJTI, err = v.AsString()
		case "event_id":
			c.EventID, err = v.AsString()
		case "version":
			var f float64
			if f, err = v.AsNumber(); err == nil {
				if f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
					err = rules.ErrOutOfRange
				}
				c.Version = int(f)
			}
		case "scope":
			scope, err = v.AsString()
		case "exp":
			hasExp = true
			c.ExpiresAt, err = rules.NumericDate(v)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return err
	}
	if !hasExp {
		return fail(ErrMalformedToken, "claim \"exp\" is required")
	}
	c.Groups, c.Scopes = namesOf(groups, groupCount, scope)
	switch c.TokenUse {
	case IDToken:
		c.Username = cognitoUsername
		if aud.Kind != jsonscan.Invalid {
			// Cognito's aud is one string; an array is not its shape.
			if c.ClientID, err = aud.AsString(); err != nil {
				return failf(ErrMalformedToken, "claim \"aud\": %v", err)
			}
		}
	default:
		c.Username, c.ClientID = username, clientID
	}
	return nil
}

// namesOf returns the cognito:groups of a payload (groups, an array of
// g strings the scan checked, or absent) and its scope split on spaces, in
// one allocation: the lists are read-only, so the two may share it. Each
// is what readSharedClaim and rules.SplitScopes would give alone: groups
// present are a list even when empty, and no scope names are none.
func namesOf(groups jsonscan.Value, g int, scope string) (Names, Names) {
	s := rules.CountScopes(scope)
	if groups.Kind != jsonscan.Array && s == 0 {
		return Names{}, Names{}
	}
	gl, sl, list := newNameLists(g + s)
	var gs, ss Names
	if groups.Kind == jsonscan.Array {
		list, _ = groups.AppendStrings(list) // checked by the scan
		*gl = list[:len(list):len(list)]
		gs = Names{list: gl}
	}
	if s > 0 {
		*sl = rules.AppendScopes(list, scope)[len(list):]
		ss = Names{list: sl}
	}
	return gs, ss
}

// readSharedClaim reads into c a claim that Cognito's tokens and the
// load balancer's user-claims token carry alike, requiring Cognito's JSON
// type. Both verifiers read these through it, so that the two token
// formats can never disagree on what a claim means or on which member
// names they refuse. A name it does not read is left for Get, Attribute
// and Decode, unless it folds to a Cognito claim name without being it.
func readSharedClaim(c *Claims, m jsonscan.Member) error {
	v := m.Value
	var err error
	switch m.Name {
	case "sub":
		c.Subject, err = v.AsString()
	case "iss":
		c.Issuer, err = v.AsString()
	case "email":
		c.Email, err = v.AsString()
	case "email_verified":
		c.EmailVerified, err = rules.Boolish(v)
	case "cognito:groups":
		gl, _, room := newNameLists(v.CountElements())
		*gl, err = v.AppendStrings(room)
		c.Groups = Names{list: gl}
	case "iat":
		c.IssuedAt, err = rules.NumericDate(v)
	case "nbf":
		c.NotBefore, err = rules.NumericDate(v)
	case "auth_time":
		c.AuthTime, err = rules.NumericDate(v)
	default:
		if claim, ok := foldsToCognitoClaim(m.Name); ok {
			return failf(ErrMalformedToken, "a member name folds to claim %q without being it", claim)
		}
		return nil
	}
	if err != nil {
		return failf(ErrMalformedToken, "claim %q: %v", m.Name, err)
	}
	return nil
}

// isCognitoClaim reports the claim names Cognito defines for its tokens,
// and the ones this package reads. encoding/json matches struct fields by
// Unicode simple case folding, so a payload naming "SUB" or "\u017fub"
// would leave Subject empty while Decode into a field tagged "sub" read
// it; Cognito never writes such spellings, so a payload that carries one
// is refused rather than read two ways. A switch, not a map: a payload
// of thousands of upper-case names asks for each, and a switch on
// constant strings compares lengths before it compares bytes, where a
// map hashes every name first.
func isCognitoClaim(name string) bool {
	switch name {
	case "sub", "iss", "aud", "client_id", "token_use", "scope",
		"username", "cognito:username", "cognito:groups", "cognito:roles",
		"cognito:preferred_role", "jti", "origin_jti", "event_id",
		"version", "exp", "iat", "nbf", "auth_time", "at_hash",
		"email", "email_verified", "phone_number", "phone_number_verified",
		"birthdate", "identities", "acr", "amr", "azp", "nonce":
		return true
	}
	return false
}

// foldsToCognitoClaim reports a name that is not a Cognito claim name but
// equals one under simple case folding, and returns that claim name.
// Every Cognito claim name is lower-case ASCII, and the only non-ASCII
// runes that fold to ASCII are U+017F (s) and U+212A (k), so folding a
// candidate needs no tables and no allocation.
func foldsToCognitoClaim(name string) (string, bool) {
	var buf [32]byte
	n, folded := 0, false
	for i := 0; i < len(name); n++ {
		if n == len(buf) {
			return "", false
		}
		c := name[i]
		switch {
		case 'A' <= c && c <= 'Z':
			buf[n], folded = c+'a'-'A', true
			i++
		case c < utf8.RuneSelf:
			buf[n] = c
			i++
		case strings.HasPrefix(name[i:], "\u017f"):
			buf[n], folded = 's', true
			i += len("\u017f")
		case strings.HasPrefix(name[i:], "\u212a"):
			buf[n], folded = 'k', true
			i += len("\u212a")
		default:
			return "", false
		}
	}
	if !folded || !isCognitoClaim(string(buf[:n])) {
		return "", false
	}
	return string(buf[:n]), true
}

// ClaimsFromUserInfo returns the Claims of an OpenID Connect user-info
// JSON object that something other than a Verifier authenticated: the
// alb package reads the load balancer's user-claims token through it, the
// apigateway package the claims an API Gateway authorizer checked, and a
// handler may read a UserInfo answer it fetched itself. It is the one way
// to build Claims outside this package, and it verifies nothing.
//
// It reads what a Cognito user-info object and Cognito's tokens share as
// Verify reads it, requiring Cognito's JSON types (sub, iss, username,
// email, email_verified, cognito:groups, iat, nbf, auth_time, and exp,
// which may be absent), checks that phone_number_verified is a boolean or
// its string, and refuses a member name that folds to a Cognito claim
// name without being it; errors wrap ErrMalformedToken and name the
// claim, never its value. Every member stays readable through Get,
// Attribute and Decode. ClientID, TokenUse, Scopes and KeyID are left
// for the caller, who knows them from elsewhere.
//
// payload is kept, not copied: the caller must not change its bytes
// afterwards.
func ClaimsFromUserInfo(payload string) (*Claims, error) {
	c := new(Claims)
	err := scanPayload(payload, c, func(name string, v jsonscan.Value) (known bool, err error) {
		switch name {
		case "username":
			c.Username, err = v.AsString()
		case "phone_number_verified":
			_, err = rules.Boolish(v)
		case "exp":
			c.ExpiresAt, err = rules.NumericDate(v)
		default:
			return false, nil
		}
		return true, err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// scanPayload walks payload once into c, which keeps it: own reads the
// members its format reads itself (known false for a name it leaves), and
// readSharedClaim every other one, so that Cognito's tokens and the
// userInfo answer agree on every claim they share. Errors wrap
// ErrMalformedToken and name the claim, never its value.
func scanPayload(payload string, c *Claims, own func(name string, v jsonscan.Value) (known bool, err error)) error {
	var claimErr error
	err := jsonscan.ScanObject(payload, func(m jsonscan.Member) error {
		known, err := own(m.Name, m.Value)
		switch {
		case !known:
			err = readSharedClaim(c, m)
		case err != nil:
			err = failf(ErrMalformedToken, "claim %q: %v", m.Name, err)
		}
		if err != nil {
			// Written only then: a payload of thousands of members
			// would pay a write barrier for each while the collector
			// runs.
			claimErr = err
		}
		return err
	})
	if claimErr != nil {
		return claimErr
	}
	if err != nil {
		return failf(ErrMalformedToken, "payload: %v", err)
	}
	c.payload = payload
	return nil
}
