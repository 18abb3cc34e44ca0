package online

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cognitojwt/cognitojwt"
)

// maxUserInfo caps the userInfo body; Cognito's answers are a few hundred
// bytes.
const maxUserInfo = 64 << 10

// expirySkew is how close to its exp a token refused by UserInfo is taken
// to have expired rather than been revoked: Cognito's clock and this
// one's may differ by about this much.
const expirySkew = time.Minute

// OpenIDScope is the scope /oauth2/userInfo requires.
const OpenIDScope = "openid"

// UserInfo fetches the Managed Login domain's /oauth2/userInfo with
// accessToken: the claims the token's scopes grant (email, phone, profile
// attributes), for those in neither token. Config.Domain must be set.
// Verdicts are reused and shared as for Check, and the errors are the
// same; the token needs the openid scope (ErrMissingScope names it).
func (c *Checker) UserInfo(ctx context.Context, accessToken string, claims *cognitojwt.Claims) (map[string]any, error) {
	if c.domain == "" {
		return nil, fmt.Errorf("%w: UserInfo needs Config.Domain", cognitojwt.ErrInvalidConfig)
	}
	if claims != nil && claims.TokenUse == cognitojwt.AccessToken && !claims.HasScope(OpenIDScope) {
		return nil, errMissingOpenIDScope
	}
	return c.info.get(ctx, verdictKey(accessToken), c.now(), c.ttl, nil, func(ctx context.Context) (map[string]any, error) {
		return c.fetchUserInfo(ctx, accessToken, claims)
	})
}

var errMissingOpenIDScope = fmt.Errorf("%w %s", ErrMissingScope, OpenIDScope)

func (c *Checker) fetchUserInfo(ctx context.Context, token string, claims *cognitojwt.Claims) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.domain+"/oauth2/userInfo", nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUserInfo+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, errThrottled
	case resp.StatusCode == http.StatusUnauthorized && claims != nil && !c.now().Add(expirySkew).Before(claims.ExpiresAt):
		// "Access token is expired, disabled, or deleted, or the user has
		// globally signed out": which one, it does not say. Near or past
		// exp (a verifier's Leeway lets such tokens through), expiry is
		// the likely cause, and recording the family would refuse the
		// user's refreshed tokens too, for a day; a revoked family fails
		// its next refresh at Cognito anyway.
		return nil, errTokenExpired
	case resp.StatusCode == http.StatusUnauthorized:
		c.recordFamily(ctx, claims)
		return nil, errTokenRevoked
	case resp.StatusCode == http.StatusForbidden:
		return nil, errMissingOpenIDScope
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: userInfo answered %d", ErrUnavailable, resp.StatusCode)
	case len(body) > maxUserInfo:
		return nil, fmt.Errorf("%w: userInfo answer exceeds %d bytes", ErrUnavailable, maxUserInfo)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil || out == nil {
		return nil, errors.Join(ErrUnavailable, errors.New("userInfo answer is not a JSON object"))
	}
	return out, nil
}
