package cognitolocal

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

func TestSignInWrongPasswordAndUnknownUserAnswerAlike(t *testing.T) {
	p := newPool(t, Config{})
	for _, user := range []string{"alice", "nobody"} {
		_, err := p.SignIn(context.Background(), DefaultClientID, user, "Wrong-pass1")
		require.Equal(t, errBadCredentials, err)
		requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": DefaultClientID,
			"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": "Wrong-pass1"}},
			codeNotAuthorized, "Incorrect username or password.")
	}
}

func TestSignInUsernameIsCaseInsensitive(t *testing.T) {
	p := newPool(t, Config{})
	tok, err := p.SignIn(context.Background(), DefaultClientID, "ALICE", testPassword)
	require.NoError(t, err)
	require.Equal(t, "alice", payload(t, tok.AccessToken)["username"])
}

func TestSignInDisabledUserRefused(t *testing.T) {
	p := newPool(t, Config{})
	require.NoError(t, p.DisableUser("alice"))
	_, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.Equal(t, errUserDisabled, err)
	require.NoError(t, p.EnableUser("alice"))
	signIn(t, p)
}

func TestSignInFlowNotEnabledRefused(t *testing.T) {
	p := newPool(t, Config{})
	c, err := p.CreateAppClient(AppClient{}) // Cognito's default flows: no USER_PASSWORD_AUTH
	require.NoError(t, err)
	_, err = p.SignIn(context.Background(), c.ClientID, "alice", testPassword)
	require.ErrorContains(t, err, "USER_PASSWORD_AUTH flow not enabled")
}

func TestSignInUnknownClientRefused(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "nope",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}}, codeResourceNotFound, "")
}

func TestRefreshKeepsOriginJTIAndAuthTime(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	tok := signIn(t, p)
	first := payload(t, tok.AccessToken)
	now = now.Add(10 * time.Minute)
	require.NoError(t, p.SetUserAttributes("alice", map[string]string{"custom:tenant_id": "globex"}))
	status, out := call(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}})
	require.Equal(t, http.StatusOK, status, out)
	res := out["AuthenticationResult"].(map[string]any)
	require.NotContains(t, res, "RefreshToken", "Cognito keeps the refresh token")
	second := payload(t, res["AccessToken"].(string))
	require.Equal(t, first["origin_jti"], second["origin_jti"])
	require.Equal(t, first["auth_time"], second["auth_time"])
	require.NotEqual(t, first["jti"], second["jti"])
	require.EqualValues(t, now.Unix(), second["iat"])
	require.Equal(t, "globex", payload(t, res["IdToken"].(string))["custom:tenant_id"])
}

func TestRefreshWithUnknownTokenRefused(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": "garbage"}}, codeNotAuthorized, "Invalid Refresh Token")
}

func TestRefreshExpiredRefused(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, Config{Now: func() time.Time { return now }})
	tok := signIn(t, p)
	now = now.Add(defaultRefreshValidity)
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": DefaultClientID,
		"AuthParameters": map[string]string{"REFRESH_TOKEN": tok.RefreshToken}}, codeNotAuthorized, "Refresh Token has expired")
}

// inFlight is a trigger that, once armed, runs action in the middle of
// the next token issue: after the credentials were checked, before the
// sign-in's refresh token exists.
type inFlight struct {
	mu     sync.Mutex
	action func()
}

func (f *inFlight) arm(action func()) {
	f.mu.Lock()
	f.action = action
	f.mu.Unlock()
}

func (f *inFlight) trigger(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	f.mu.Lock()
	action := f.action
	f.action = nil
	f.mu.Unlock()
	if action != nil {
		action()
	}
	return ev, nil
}

// A user disabled while one of their sign-ins is under way gets nothing
// from it, even when enabled again before it ends: AdminDisableUser
// revokes the user's tokens (API reference, AdminDisableUser), and the
// sign-in's would otherwise outlive it.
func TestDisableDuringSignInLeavesNoToken(t *testing.T) {
	fl := &inFlight{}
	p := newPool(t, Config{PreTokenGeneration: fl.trigger})
	fl.arm(func() {
		require.NoError(t, p.DisableUser("alice"))
		require.NoError(t, p.EnableUser("alice"))
	})
	_, err := p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.ErrorIs(t, err, errSignInEnded)
	p.mu.Lock()
	families := len(p.families)
	p.mu.Unlock()
	require.Zero(t, families, "no refresh token exists for the overtaken sign-in")
	signIn(t, p) // a new sign-in works

	fl.arm(func() { require.NoError(t, p.DisableUser("alice")) })
	_, err = p.SignIn(context.Background(), DefaultClientID, "alice", testPassword)
	require.ErrorIs(t, err, errUserDisabled)
}

func TestDisableDuringRefreshLeavesNoToken(t *testing.T) {
	fl := &inFlight{}
	p := newPool(t, Config{PreTokenGeneration: fl.trigger})
	tok := signIn(t, p)
	fl.arm(func() {
		require.NoError(t, p.DisableUser("alice"))
		require.NoError(t, p.EnableUser("alice"))
	})
	_, err := p.refreshTokens(context.Background(), DefaultClientID, tok.RefreshToken, "", nil)
	require.ErrorIs(t, err, errRefreshRevoked)
	_, err = p.refreshTokens(context.Background(), DefaultClientID, tok.RefreshToken, "", nil)
	require.ErrorIs(t, err, errRefreshRevoked, "the disable revoked the family")
}

// A sign-out between the Managed Login form and the code exchange ends
// that sign-in too.
func TestSignOutBeforeCodeExchangeLeavesNoToken(t *testing.T) {
	p := newPool(t, Config{})
	p.mu.Lock()
	u := p.userNamed("alice")
	p.codes[digest("the-code")] = &authCode{ClientID: DefaultClientID, RedirectURI: "http://localhost:8080/callback", Username: "alice",
		Scopes: []string{"openid"}, Expires: p.now().Add(time.Minute), SignOuts: u.SignOuts}
	p.mu.Unlock()
	require.NoError(t, p.GlobalSignOut("alice"))
	status, out := postToken(p, url.Values{"grant_type": {"authorization_code"}, "code": {"the-code"}, "client_id": {DefaultClientID},
		"redirect_uri": {"http://localhost:8080/callback"}})
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "invalid_grant", out["error"])
}

// SignIn of a user whose factor is a code sent by SMS or email returns
// ErrMFARequired, as for TOTP, and the JSON API it names completes the
// sign-in with the code the outbox holds (LastCode).
func TestSignInOfAnSMSOrEmailMFAUser(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg             MFAConfig
		challenge, code string
	}{
		"sms":   {MFAConfig{Mode: MFAOn, SMS: true}, "SMS_MFA", "SMS_MFA_CODE"},
		"email": {MFAConfig{Mode: MFAOn, Email: true}, "EMAIL_OTP", "EMAIL_OTP_CODE"},
	} {
		t.Run(name, func(t *testing.T) {
			p, _ := newMFAPool(t, tc.cfg)
			require.NoError(t, p.SetUserAttributes("alice", map[string]string{"phone_number": "+15555550100", "phone_number_verified": "true"}))
			_, err := p.SignIn(t.Context(), DefaultClientID, "alice", testPassword)
			require.ErrorIs(t, err, ErrMFARequired)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, codeNotAuthorized, e.Code)
			require.Contains(t, e.Message, "RespondToAuthChallenge")

			status, out := passwordSignIn(t, p, "alice", testPassword)
			require.Equal(t, http.StatusOK, status, out)
			require.Equal(t, tc.challenge, out["ChallengeName"])
			code, ok := p.LastCode("alice", MessageAuthentication)
			require.True(t, ok)
			status, res := call(t, p, "RespondToAuthChallenge", answer(tc.challenge, out["Session"], map[string]string{"USERNAME": "alice", tc.code: code}))
			require.Equal(t, http.StatusOK, status, res)
			require.Contains(t, res, "AuthenticationResult")
		})
	}
}
