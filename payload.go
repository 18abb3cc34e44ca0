package cognitojwt

import (
	"math"

	"github.com/cognitojwt/cognitojwt/internal/jsonscan"
	"github.com/cognitojwt/cognitojwt/internal/rules"
)

// parsePayload fills c from the decoded payload. Claims Cognito defines
// must have Cognito's JSON types; anything else is ErrMalformedToken. The
// payload is scanned once, and only the claims read here are kept. The
// groups and scopes lists go in names when they fit its room, the
// payload's own (decodePayload).
func parsePayload(payload string, names nameRoom, c *Claims) error {
	var hasExp bool
	var username, cognitoUsername, clientID, scope string
	var aud, groups jsonscan.Value
	// The groups are decoded during the scan into room, which nearly
	// every token's fit, and copied by namesOf into the allocation the
	// groups and the scopes share.
	var room [8]string
	var groupCount int
	err := scanPayload(payload, c, func(m jsonscan.Member) (known bool, err error) {
		v := m.Value
		switch m.Known {
		case claimGroups:
			// Checked here, with readSharedClaim's errors.
			groupCount, err = v.FillStrings(room[:])
			groups = v
		case claimClientID:
			clientID, err = v.AsString()
		case claimAud:
			aud = v // its type matters only for ID tokens
		case claimTokenUse:
			var s string
			s, err = v.AsString()
			c.TokenUse = TokenUse(s)
		case claimUsername:
			username, err = v.AsString()
		case claimCognitoUsername:
			cognitoUsername, err = v.AsString()
		case claimJTI:
			c.JWTID, err = v.AsString()
		case claimOriginJTI:
			c.OriginJTI, err = v.AsString()
		case claimEventID:
			c.EventID, err = v.AsString()
		case claimVersion:
			var f float64
			if f, err = v.AsNumber(); err == nil {
				if f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
					err = rules.ErrOutOfRange
				}
				c.Version = int(f)
			}
		case claimScope:
			scope, err = v.AsString()
		case claimExp:
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
	c.Groups, c.Scopes = namesOf(names, groups, room[:min(groupCount, len(room))], groupCount, scope)
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
// g strings the scan checked, or absent, of which decoded holds the
// first ones, all of them unless there are more than it had room for)
// and its scope split on spaces, together: in names when its room holds
// them all, else in one allocation of their own. The lists are
// read-only, so the two may share it. Each is what readSharedClaim and
// rules.SplitScopes would give alone: groups present are a list even
// when empty, and no scope names are none.
func namesOf(names nameRoom, groups jsonscan.Value, decoded []string, g int, scope string) (Names, Names) {
	s := rules.CountScopes(scope)
	if groups.Kind != jsonscan.Array && s == 0 {
		return Names{}, Names{}
	}
	gl, sl, list := names.groups, names.scopes, names.room
	if gl == nil || cap(list) < g+s {
		gl, sl, list = newNameLists(g + s)
	}
	var gs, ss Names
	if groups.Kind == jsonscan.Array {
		if len(decoded) == g {
			list = append(list, decoded...)
		} else {
			list, _ = groups.AppendStrings(list) // checked by the scan
		}
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
	switch m.Known {
	case claimSub:
		c.Subject, err = v.AsString()
	case claimIss:
		c.Issuer, err = v.AsString()
	case claimEmail:
		c.Email, err = v.AsString()
	case claimEmailVerified:
		c.EmailVerified, err = rules.Boolish(v)
	case claimGroups:
		gl, _, room := newNameLists(v.CountElements())
		*gl, err = v.AppendStrings(room)
		c.Groups = Names{list: gl}
	case claimIat:
		c.IssuedAt, err = rules.NumericDate(v)
	case claimNbf:
		c.NotBefore, err = rules.NumericDate(v)
	case claimAuthTime:
		c.AuthTime, err = rules.NumericDate(v)
	case 0:
		// Not a Cognito claim name, but maybe one of its other
		// spellings. encoding/json matches struct fields by Unicode
		// simple case folding, so a payload naming "SUB" or "\u017fub"
		// would leave Subject empty while Decode into a field tagged
		// "sub" read it; Cognito never writes such spellings, so a
		// payload that carries one is refused rather than read two ways.
		// The scan found the claim it folds to (ScanKnown), if any.
		if m.Folds != 0 {
			return failf(ErrMalformedToken, "a member name folds to claim %q without being it", cognitoClaims.Name(m.Folds))
		}
		return nil
	default:
		return nil // a Cognito claim read elsewhere, or by no one
	}
	if err != nil {
		return failf(ErrMalformedToken, "claim %q: %v", m.Name, err)
	}
	return nil
}

// The claim names Cognito defines for its tokens, and the ones this
// package reads, numbered as cognitoClaims numbers them: the payload's
// scan (jsonscan.ScanKnown) finds each member's number once, and the
// readers switch on it instead of comparing names again.
const (
	claimSub = iota + 1
	claimIss
	claimAud
	claimClientID
	claimTokenUse
	claimScope
	claimUsername
	claimCognitoUsername
	claimGroups
	claimRoles
	claimPreferredRole
	claimJTI
	claimOriginJTI
	claimEventID
	claimVersion
	claimExp
	claimIat
	claimNbf
	claimAuthTime
	claimAtHash
	claimEmail
	claimEmailVerified
	claimPhoneNumber
	claimPhoneNumberVerified
	claimBirthdate
	claimIdentities
	claimAcr
	claimAmr
	claimAzp
	claimNonce
)

// cognitoClaims holds the names of the constants above, in their order
// (TestCognitoClaimNumbers).
var cognitoClaims = jsonscan.NewKnownNames(
	"sub", "iss", "aud", "client_id", "token_use", "scope",
	"username", "cognito:username", "cognito:groups", "cognito:roles",
	"cognito:preferred_role", "jti", "origin_jti", "event_id",
	"version", "exp", "iat", "nbf", "auth_time", "at_hash",
	"email", "email_verified", "phone_number", "phone_number_verified",
	"birthdate", "identities", "acr", "amr", "azp", "nonce",
)

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
	err := scanPayload(payload, c, func(m jsonscan.Member) (known bool, err error) {
		switch v := m.Value; m.Known {
		case claimUsername:
			c.Username, err = v.AsString()
		case claimPhoneNumberVerified:
			_, err = rules.Boolish(v)
		case claimExp:
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
// userInfo answer agree on every claim they share. Members carry the
// numbers of cognitoClaims. Errors wrap ErrMalformedToken and name the
// claim, never its value.
func scanPayload(payload string, c *Claims, own func(m jsonscan.Member) (known bool, err error)) error {
	var claimErr error
	err := jsonscan.ScanKnown(payload, cognitoClaims, func(m jsonscan.Member) error {
		known, err := own(m)
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
