package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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

// mintTokens mints what req asks for with key, for the issuer iss, in the
// shape Cognito issues: user attributes go to the ID token only, and the
// access token carries other claims only when req names them as a
// pre-token-generation trigger's (TriggerClaims).
func mintTokens(key *cognitolocal.SigningKey, iss, poolID string, req mintRequest) (*mintResponse, error) {
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
	username := req.Username
	if username == "" {
		username = defaultUsername
	}
	if err := checkName("username", username, 128); err != nil {
		return nil, err
	}
	clientID := req.ClientID
	if clientID == "" {
		clientID = cognitolocal.DefaultClientID
	}
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

	now := time.Now()
	iat := now.Unix()
	common := func(use string) map[string]any {
		return map[string]any{
			"iss":       iss,
			"token_use": use,
			"auth_time": iat,
			"iat":       iat,
			"exp":       now.Add(lifetime).Unix(),
			"jti":       randomUUID(),
		}
	}
	resp := &mintResponse{TokenType: "Bearer", ExpiresIn: int64(lifetime / time.Second), Issuer: iss}
	scopes := req.Scopes
	if len(scopes) == 0 {
		scopes = []string{"aws.cognito.signin.user.admin"}
	}
	access := common("access")
	access["client_id"] = clientID
	access["scope"] = strings.Join(scopes, " ")
	if req.Machine {
		access["sub"] = clientID
	} else {
		originJTI, eventID := randomUUID(), randomUUID()
		sub := stableSubject(poolID, username)
		access["sub"] = sub
		access["username"] = username
		access["origin_jti"] = originJTI
		access["event_id"] = eventID
		access["version"] = 2
		if len(req.Groups) > 0 {
			access["cognito:groups"] = req.Groups
		}
		if req.TokenUse != "access" {
			id := common("id")
			id["sub"] = sub
			id["aud"] = clientID
			id["cognito:username"] = username
			id["origin_jti"] = originJTI
			id["event_id"] = eventID
			id["email"] = email
			id["email_verified"] = true
			if len(req.Groups) > 0 {
				id["cognito:groups"] = req.Groups
			}
			for name, value := range req.Attributes {
				id[attributeName(name)] = value
			}
			maps.Copy(id, req.Claims)
			var err error
			if resp.IDToken, err = cognitolocal.Sign(key, nil, id); err != nil {
				return nil, err
			}
		}
	}
	if req.TokenUse != "id" {
		maps.Copy(access, req.TriggerClaims)
		var err error
		if resp.AccessToken, err = cognitolocal.Sign(key, nil, access); err != nil {
			return nil, err
		}
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

// randomUUID returns a version 4 UUID, the shape of Cognito's jti,
// origin_jti and event_id.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatUUID(b[:], 4)
}

// formatUUID stamps version and the RFC 9562 variant on 16 bytes and
// formats them.
func formatUUID(b []byte, version byte) string {
	b[6] = b[6]&0x0f | version<<4
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
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
	return formatUUID(sum[:16], 8) // version 8: custom, per RFC 9562
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
