package cognitolocal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckCredentialsOrder(t *testing.T) {
	p := newPool(t, Config{})
	legacy, err := p.CreateAppClient(AppClient{ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	assert.Equal(t, existenceLegacy, legacy.PreventUserExistenceErrors, "the API's default")
	enabled, _ := p.AppClient(DefaultClientID)
	assert.Equal(t, existenceEnabled, enabled.PreventUserExistenceErrors, "the default client, as a console-made one")

	check := func(c AppClient, user, pw string) error {
		_, err := p.checkCredentialsFor(c, user, pw)
		return err
	}
	assert.Equal(t, errUserNotFound, check(legacy, "nobody", testPassword))
	assert.Equal(t, errBadCredentials, check(enabled, "nobody", testPassword))
	assert.Equal(t, errBadCredentials, check(legacy, "alice", "Wrong-pass-1"))

	_, err = p.CreateUser("una", testPassword, nil)
	require.NoError(t, err)
	require.NoError(t, p.onUser("una", func(u *user) error { u.Status = statusUnconfirmed; return nil }))
	// facts §4 (amazon-cognito-identity-js#288): even a wrong password.
	assert.Equal(t, errNotConfirmed, check(legacy, "una", "Wrong-pass-1"))

	require.NoError(t, p.onUser("alice", func(u *user) error { u.Status = statusResetRequired; return nil }))
	assert.Equal(t, errPasswordReset, check(legacy, "alice", testPassword))
	assert.Equal(t, errBadCredentials, check(legacy, "alice", "Wrong-pass-1"), "a reset reveals nothing to a wrong password")

	require.NoError(t, p.DisableUser("alice"))
	assert.Equal(t, errUserDisabled, check(legacy, "alice", testPassword))
}
