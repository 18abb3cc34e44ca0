package cognitolocal

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// SignUp without triggers (presignup_test.go has the pre sign-up
// trigger's cases).

func TestSignUpThenAdminConfirmSignUp(t *testing.T) {
	p := newPool(t, Config{})
	status, out := call(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "erin", "Password": testPassword,
		"UserAttributes": []map[string]string{{"Name": "email", "Value": "e@example.com"}}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, false, out["UserConfirmed"])
	require.NotEmpty(t, out["UserSub"])
	_, err := p.SignIn(context.Background(), DefaultClientID, "erin", testPassword)
	require.Equal(t, errNotConfirmed, err)
	status, _ = call(t, p, "AdminConfirmSignUp", pool(map[string]any{"Username": "erin"}))
	require.Equal(t, http.StatusOK, status)
	tok, err := p.SignIn(context.Background(), DefaultClientID, "erin", testPassword)
	require.NoError(t, err)
	require.Equal(t, out["UserSub"], payload(t, tok.AccessToken)["sub"])
	requireAPIError(t, p, "AdminConfirmSignUp", pool(map[string]any{"Username": "erin"}), codeNotAuthorized, "")
}

func TestSignUpExistingUsernameRefused(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "alice", "Password": testPassword},
		codeUsernameExists, "")
}

func TestSignUpWeakPasswordRefused(t *testing.T) {
	p := newPool(t, Config{})
	requireAPIError(t, p, "SignUp", map[string]any{"ClientId": DefaultClientID, "Username": "frank", "Password": "password"},
		codeInvalidPassword, "")
}
