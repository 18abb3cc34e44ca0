package cognitolocal

import (
	"context"
	"slices"
)

// Sign-in: credentials, refresh, and the challenges a sign-in may answer.

// SignIn signs username in as InitiateAuth with USER_PASSWORD_AUTH does
// (the trigger runs with source TokenGeneration_Authentication), for a
// public client or, with the client's secret known to the pool, a
// confidential one.
//
// The authentication triggers run as for InitiateAuth. A user who must
// pass MFA is not signed in: the error is ErrMFARequired, which says how
// to complete the sign-in.
func (p *Pool) SignIn(ctx context.Context, clientID, username, password string) (Tokens, error) {
	c, snap, err := p.checkPasswordSignIn(ctx, clientID, username, password)
	if err != nil {
		return Tokens{}, err
	}
	res, err := p.secondFactor(c, snap.username, signInStep{typed: username, source: sourceAuthentication})
	if err != nil {
		return Tokens{}, err
	}
	if res.out != nil {
		return Tokens{}, ErrMFARequired
	}
	if err := p.postAuthentication(ctx, c, res.user, false, nil); err != nil {
		return Tokens{}, err
	}
	return p.signIn(ctx, c, res.user, []string{scopeAdmin}, sourceAuthentication, nil)
}

// checkPasswordSignIn applies InitiateAuth's checks in Cognito's order:
// client, flow, the pre authentication trigger, then the credentials.
func (p *Pool) checkPasswordSignIn(ctx context.Context, clientID, username, password string) (AppClient, snapshot, error) {
	c, ok := p.AppClient(clientID)
	if !ok {
		return AppClient{}, snapshot{}, errClientNotFound
	}
	if !c.allowsFlow("ALLOW_USER_PASSWORD_AUTH") && !c.allowsFlow("USER_PASSWORD_AUTH") {
		return AppClient{}, snapshot{}, apiErr(codeInvalidParameter, "USER_PASSWORD_AUTH flow not enabled for this client")
	}
	if err := p.preAuthentication(ctx, c, username, nil); err != nil {
		return AppClient{}, snapshot{}, err
	}
	snap, err := p.checkCredentialsFor(c, username, password)
	return c, snap, err
}

// signIn issues the tokens of a new sign-in and starts its family.
func (p *Pool) signIn(ctx context.Context, c AppClient, snap snapshot, scopes []string, source string, metadata map[string]string) (Tokens, error) {
	return p.signInOnDevice(ctx, c, snap, scopes, source, metadata, "")
}

// signInOnDevice is signIn on the device key deviceKey (empty for none).
func (p *Pool) signInOnDevice(ctx context.Context, c AppClient, snap snapshot, scopes []string, source string, metadata map[string]string, deviceKey string) (Tokens, error) {
	fam := p.newFamily(snap.username, c, scopes, source == sourceHostedAuth)
	fam.DeviceKey = deviceKey
	t, err := p.issue(ctx, issueRequest{user: &snap, client: c, fam: fam, source: source, idToken: true, metadata: metadata})
	if err != nil {
		return Tokens{}, err
	}
	if t.RefreshToken, err = p.startFamily(fam, snap); err != nil {
		return Tokens{}, err
	}
	return t, nil
}

// refreshTokens issues new access and ID tokens for a refresh token of
// clientID: same origin_jti and auth_time, current attributes and groups.
// deviceKey is the DEVICE_KEY the refresh presents, "" for none: a token
// of a sign-in made on one device does not refresh on another ("With
// device tracking, these tokens are linked to a single device. If a
// refresh token is used on any other device, the call fails", AWS's
// announcement of device tracking; forgetDeviceLocked). A refresh that
// presents no key is not refused, though the API reference
// (GetTokensFromRefreshToken) says a pool that remembers devices needs
// one: it does not say what a missing one is answered, and server-side
// refreshes send none.
func (p *Pool) refreshTokens(ctx context.Context, clientID, refreshToken, deviceKey string, metadata map[string]string) (Tokens, error) {
	p.mu.Lock()
	c, ok := p.clients[clientID]
	if !ok {
		p.mu.Unlock()
		return Tokens{}, errClientNotFound
	}
	client := cloneClient(*c)
	f := p.families[p.refresh[digest(refreshToken)]]
	if f == nil || f.ClientID != clientID {
		p.mu.Unlock()
		return Tokens{}, errRefreshInvalid
	}
	fam := *f
	u := p.userNamed(fam.Username)
	var snap snapshot
	var enabled bool
	if u != nil {
		snap, enabled = p.snapshotLocked(u), u.Enabled
	}
	p.mu.Unlock()
	switch {
	case u == nil:
		return Tokens{}, errUserNotFound
	case !enabled:
		return Tokens{}, errUserDisabled
	case fam.Revoked:
		return Tokens{}, errRefreshRevoked
	case fam.DeviceForgotten, deviceKey != "" && fam.DeviceKey != "" && deviceKey != fam.DeviceKey:
		return Tokens{}, errRefreshInvalid
	case !p.now().Before(fam.Expires):
		return Tokens{}, errRefreshExpired
	}
	t, err := p.issue(ctx, issueRequest{
		user: &snap, client: client, fam: fam, source: sourceRefresh,
		idToken: !fam.Hosted || slices.Contains(fam.Scopes, "openid"), atHash: fam.Hosted, metadata: metadata,
	})
	if err != nil {
		return Tokens{}, err
	}
	// The tokens were signed without the lock: a revocation or a disable
	// meanwhile wins, so that the refresh hands out nothing.
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := p.userNamed(fam.Username); u == nil || !u.Enabled {
		return Tokens{}, errUserDisabled
	}
	switch f := p.families[fam.OriginJTI]; {
	case f == nil || f.Revoked:
		return Tokens{}, errRefreshRevoked
	case f.DeviceForgotten:
		return Tokens{}, errRefreshInvalid
	}
	return t, nil
}
