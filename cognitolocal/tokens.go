package cognitolocal

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Tokens are what a sign-in or refresh answers. RefreshToken is empty on a
// refresh: Cognito keeps the refresh token it was given.
type Tokens struct {
	AccessToken, IDToken, RefreshToken string
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int
}

// issueRequest is one token issue: a sign-in, a refresh, a code exchange
// or client credentials (user nil).
type issueRequest struct {
	user     *snapshot
	client   AppClient
	fam      family // origin_jti, auth_time, scopes; empty for client credentials
	source   string // trigger source
	nonce    string
	idToken  bool // an ID token is issued too
	atHash   bool // the ID token carries at_hash (token endpoint)
	metadata map[string]string
}

// Trigger sources, as Cognito names them in the event.
const (
	sourceAuthentication    = "TokenGeneration_Authentication"
	sourceRefresh           = "TokenGeneration_RefreshTokens"
	sourceHostedAuth        = "TokenGeneration_HostedAuth"
	sourceClientCredentials = "TokenGeneration_ClientCredentials"
	sourceNewPassword       = "TokenGeneration_NewPasswordChallenge"
)

// issue builds, runs the trigger on, and signs the tokens of req. It holds
// no lock: the trigger may call back into the pool.
func (p *Pool) issue(ctx context.Context, req issueRequest) (Tokens, error) {
	access, id := p.claimSets(req, p.now())
	if err := p.runTrigger(ctx, req, access, id); err != nil {
		return Tokens{}, err
	}
	t, err := p.sign(access, id, req.atHash)
	t.ExpiresIn = int(req.client.AccessTokenValidity / time.Second)
	return t, err
}

// claimSets builds the access token (and, for a user sign-in asking for
// one, the ID token) of req issued at now.
func (p *Pool) claimSets(req issueRequest, now time.Time) (access, id map[string]any) {
	iat := now.Unix()
	eventID := newUUID()
	access = map[string]any{
		"iss":       p.Issuer(),
		"client_id": req.client.ClientID,
		"event_id":  eventID,
		"token_use": "access",
		"scope":     strings.Join(req.fam.Scopes, " "),
		"auth_time": req.fam.AuthTime.Unix(),
		"exp":       now.Add(req.client.AccessTokenValidity).Unix(),
		"iat":       iat,
		"jti":       newUUID(),
		"version":   2,
	}
	if req.user == nil {
		access["sub"] = req.client.ClientID
		access["auth_time"] = iat
		delete(access, "event_id")
		return access, nil
	}
	u := req.user
	access["sub"] = u.attrs["sub"]
	access["origin_jti"] = req.fam.OriginJTI
	access["username"] = u.username
	if req.fam.DeviceKey != "" {
		access["device_key"] = req.fam.DeviceKey
	}
	if len(u.groups) > 0 {
		access["cognito:groups"] = slices.Clone(u.groups)
	}
	if req.idToken {
		id = p.idClaims(req, eventID, now)
	}
	return access, id
}

// sign signs the claim sets with the current key; withAtHash gives the ID
// token the access token's at_hash.
func (p *Pool) sign(access, id map[string]any, withAtHash bool) (Tokens, error) {
	p.mu.Lock()
	key := p.key
	p.mu.Unlock()
	var out Tokens
	var err error
	if out.AccessToken, err = Sign(key, nil, access); err != nil {
		return Tokens{}, err
	}
	if id != nil {
		if withAtHash {
			id["at_hash"] = atHash(out.AccessToken)
		}
		if out.IDToken, err = Sign(key, nil, id); err != nil {
			return Tokens{}, err
		}
	}
	return out, nil
}

// idClaims is the ID token of a user sign-in: the attributes the client
// may read, typed as Cognito types them.
func (p *Pool) idClaims(req issueRequest, eventID string, now time.Time) map[string]any {
	u := req.user
	id := map[string]any{
		"iss":              p.Issuer(),
		"aud":              req.client.ClientID,
		"cognito:username": u.username,
		"origin_jti":       req.fam.OriginJTI,
		"event_id":         eventID,
		"token_use":        "id",
		"auth_time":        req.fam.AuthTime.Unix(),
		"exp":              now.Add(req.client.IDTokenValidity).Unix(),
		"iat":              now.Unix(),
		"jti":              newUUID(),
	}
	if len(u.groups) > 0 {
		id["cognito:groups"] = slices.Clone(u.groups)
	}
	if len(u.roles) > 0 {
		id["cognito:roles"] = slices.Clone(u.roles)
	}
	if u.preferredRole != "" {
		id["cognito:preferred_role"] = u.preferredRole
	}
	for name, v := range u.attrs {
		if name == "sub" || req.client.canRead(name) {
			id[name] = attributeClaim(name, v)
		}
	}
	if req.nonce != "" {
		id["nonce"] = req.nonce
	}
	return id
}

// attributeClaim types an attribute as ID tokens carry it: the verified
// flags as booleans, updated_at as a number, everything else (custom
// attributes included) as a string.
func attributeClaim(name, v string) any {
	switch name {
	case "email_verified", "phone_number_verified":
		return v == "true"
	case "updated_at":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return v
}

// atHash is the OIDC at_hash of an RS256 access token: the left half of
// its SHA-256, base64url.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// startFamily registers the refresh-token family of a new sign-in and
// returns its refresh token. Only a digest is kept, so saved state holds
// no usable token.
//
// The sign-in's tokens were signed without the lock, so the user may have
// been disabled, signed out or deleted meanwhile: then no family starts
// and the sign-in fails, so that none of its tokens works, even once the
// user is enabled again.
func (p *Pool) startFamily(f family, snap snapshot) (string, error) {
	token := randomToken(96)
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.userNamed(f.Username)
	switch {
	// A user of the name with another sub replaced the one signing in (a
	// trigger may delete and create users while it runs).
	case u == nil || u.sub() != snap.attrs["sub"]:
		return "", errUserNotFound
	case !u.Enabled:
		return "", errUserDisabled
	case u.SignOuts != snap.signOuts:
		return "", errSignInEnded
	}
	p.families[f.OriginJTI] = &f
	p.refresh[digest(token)] = f.OriginJTI
	return token, nil
}

// errSignInEnded refuses a sign-in that a global sign-out (or a disable)
// overtook.
var errSignInEnded = apiErr(codeNotAuthorized, "The sign-in was ended by a sign-out of the user.")

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (p *Pool) newFamily(username string, c AppClient, scopes []string, hosted bool) family {
	now := p.now()
	return family{
		OriginJTI: newUUID(),
		Username:  username,
		ClientID:  c.ClientID,
		Scopes:    scopes,
		AuthTime:  now,
		Expires:   now.Add(c.RefreshTokenValidity),
		Hosted:    hosted,
	}
}

// revokeRefreshToken ends the family of a refresh token issued to
// clientID. Unknown tokens are ignored, as RFC 7009 asks.
func (p *Pool) revokeRefreshToken(clientID, token string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.families[p.refresh[digest(token)]]
	if f == nil {
		return nil
	}
	if f.ClientID != clientID {
		return apiErr("UnauthorizedException", "The refresh token was not issued to this client.")
	}
	f.Revoked = true
	return nil
}

// family is the sign-in a refresh token stands for: every access and ID
// token issued from it shares its origin_jti, so revoking it ends them all.
type family struct {
	OriginJTI string    `json:"originJti"`
	Username  string    `json:"username"`
	ClientID  string    `json:"clientId"`
	Scopes    []string  `json:"scopes"`
	AuthTime  time.Time `json:"authTime"`
	Expires   time.Time `json:"expires"`
	Revoked   bool      `json:"revoked,omitempty"`
	// Hosted marks a Managed Login sign-in: refreshes of it keep the
	// code flow's scopes and at_hash.
	Hosted bool `json:"hosted,omitempty"`
	// DeviceKey is the device the sign-in was made on, which its access
	// tokens name in device_key.
	DeviceKey string `json:"deviceKey,omitempty"`
	// DeviceForgotten marks a sign-in whose device was forgotten since:
	// its refresh token no longer refreshes (forgetDeviceLocked).
	DeviceForgotten bool `json:"deviceForgotten,omitempty"`
}
