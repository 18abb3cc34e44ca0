package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cognitojwt/cognitojwt/cognitolocal"
)

// mintRequest is what the dev-issuer's POST /mint accepts, as JSON or as
// form fields of the same names.
type mintRequest struct {
	Username   string            `json:"username"`
	Email      string            `json:"email"`
	Groups     []string          `json:"groups"`
	Scopes     []string          `json:"scopes"`
	Attributes map[string]string `json:"attributes"`
	Claims     map[string]any    `json:"claims"`
	// TriggerClaims go into the access token, as a pre-token-generation
	// trigger's claimsToAddOrOverride would put them: real access tokens
	// carry no attributes or other claims without one.
	TriggerClaims map[string]any `json:"trigger_claims"`
	ClientID      string         `json:"client_id"`
	TokenUse      string         `json:"token_use"`
	Lifetime      string         `json:"lifetime"`
	Machine       bool           `json:"machine"`
}

// mintResponse follows the shape of Cognito's token endpoint answer.
type mintResponse struct {
	AccessToken string `json:"access_token,omitempty"`
	IDToken     string `json:"id_token,omitempty"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Issuer      string `json:"issuer"`
}

const (
	defaultUsername = "alice"
	defaultLifetime = time.Hour
	// maxLifetime is Cognito's own upper bound for access and ID tokens.
	maxLifetime = 24 * time.Hour
)

// badMintRequest is a request the caller must change; the HTTP endpoint
// answers it 400 and the mint command exits 2.
type badMintRequest struct{ msg string }

func (e *badMintRequest) Error() string { return e.msg }

func badRequestf(format string, args ...any) error {
	return &badMintRequest{fmt.Sprintf(format, args...)}
}

// mintTokens mints what req asks for with the pool's key, in the shape
// Cognito issues: user attributes go to the ID token only, and the access
// token carries other claims only when req names them as a
// pre-token-generation trigger's (TriggerClaims).
func mintTokens(pool *cognitolocal.Pool, req mintRequest) (*mintResponse, error) {
	lifetime := defaultLifetime
	if req.Lifetime != "" {
		d, err := time.ParseDuration(req.Lifetime)
		if err != nil {
			return nil, badRequestf("lifetime %q is not a duration such as 15m or 1h", req.Lifetime)
		}
		lifetime = d
	}
	if lifetime == 0 || lifetime > maxLifetime || lifetime < -maxLifetime {
		return nil, badRequestf("lifetime must be non-zero and within ±24h (a negative one mints an expired token)")
	}
	switch req.TokenUse {
	case "", "access", "id":
	default:
		return nil, badRequestf("token_use %q: want access or id", req.TokenUse)
	}
	if req.Machine && req.TokenUse == "id" {
		return nil, badRequestf("machine (client-credentials) tokens are access tokens only")
	}
	if req.Machine && len(req.Scopes) == 0 {
		return nil, badRequestf("a machine token needs at least one scope")
	}
	username := cmp.Or(req.Username, defaultUsername)
	if err := checkName("username", username, 128); err != nil {
		return nil, err
	}
	clientID := cmp.Or(req.ClientID, cognitolocal.DefaultClientID)
	if err := checkName("client_id", clientID, 128); err != nil {
		return nil, err
	}
	for _, g := range req.Groups {
		if err := checkName("group", g, 128); err != nil {
			return nil, err
		}
	}
	for _, s := range req.Scopes {
		if err := checkName("scope", s, 256); err != nil {
			return nil, err
		}
	}
	email := req.Email
	if email == "" {
		email = username
		if !strings.Contains(email, "@") {
			email += "@example.com"
		}
	}
	for name := range req.Attributes {
		if name == "" || name == "custom:" {
			return nil, badRequestf("empty attribute name")
		}
	}
	for _, claims := range []map[string]any{req.Claims, req.TriggerClaims} {
		for name := range claims {
			if name == "" {
				return nil, badRequestf("empty claim name")
			}
		}
	}
	if (len(req.Attributes) > 0 || len(req.Claims) > 0) && (req.Machine || req.TokenUse == "access") {
		// The mistake this catches passes tests and fails in production.
		return nil, badRequestf("attributes and claims go into ID tokens only, as Cognito puts them; " +
			"an access token carries extra claims only from a pre-token-generation trigger: use trigger_claims (mint --trigger-claim)")
	}

	attrs := map[string]string{"email": email, "email_verified": "true"}
	for name, value := range req.Attributes {
		attrs[attributeName(name)] = value
	}
	tokens, err := pool.MintTokens(cognitolocal.Mint{
		ClientID:          clientID,
		Username:          username,
		Subject:           stableSubject(pool.PoolID(), username),
		Groups:            req.Groups,
		Scopes:            req.Scopes,
		Attributes:        attrs,
		AccessTokenClaims: req.TriggerClaims,
		IDTokenClaims:     req.Claims,
		Lifetime:          lifetime,
		ClientCredentials: req.Machine,
	})
	if err != nil {
		var refused *cognitolocal.Error
		if errors.As(err, &refused) {
			return nil, badRequestf("%s", refused.Message)
		}
		return nil, err
	}
	resp := &mintResponse{TokenType: "Bearer", ExpiresIn: int64(tokens.ExpiresIn), Issuer: pool.Issuer()}
	if req.TokenUse != "id" {
		resp.AccessToken = tokens.AccessToken
	}
	if req.TokenUse != "access" {
		resp.IDToken = tokens.IDToken
	}
	return resp, nil
}

// attributeName is the claim a user attribute appears as: Cognito's
// standard attributes by their own name, any other as custom:NAME.
func attributeName(name string) string {
	if strings.HasPrefix(name, "custom:") || slices.Contains(standardAttributes, name) {
		return name
	}
	return "custom:" + name
}

// standardAttributes are the user-pool attributes Cognito defines (OIDC's
// standard claims); every other attribute is custom.
var standardAttributes = []string{
	"address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
	"locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified",
	"picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo",
}

func checkName(what, s string, max int) error {
	if s == "" || len(s) > max {
		return badRequestf("%s must be 1 to %d bytes", what, max)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return badRequestf("%s %q contains white space or control characters", what, s)
		}
	}
	return nil
}

// stableSubject derives a sub that stays the same for a username across
// restarts, as a real pool's does, shaped like Cognito's UUIDs.
func stableSubject(pool, username string) string {
	sum := sha256.Sum256([]byte("cognitojwt dev-issuer\x00" + pool + "\x00" + username))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8: custom, per RFC 9562
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// claimValue reads a --claim or form claim value: JSON when it parses as
// JSON (numbers, booleans, arrays, objects, quoted strings), otherwise the
// text itself.
func claimValue(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err == nil {
		return v
	}
	return s
}

// splitList splits repeated, comma- or space-separated values.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })...)
	}
	return out
}

// parseBool reads a form boolean; absent is false.
func parseBool(name, s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequestf("%s %q is not true or false", name, s)
	}
	return b, nil
}

func isBadRequest(err error) bool {
	var b *badMintRequest
	return errors.As(err, &b)
}
