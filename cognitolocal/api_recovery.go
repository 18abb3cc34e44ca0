package cognitolocal

import (
	"context"
	"time"
)

// The password operations: forgotten, reset by an administrator, changed
// by the user. None of them ends the user's refresh tokens: Cognito
// documents RevokeToken, GlobalSignOut and AdminUserGlobalSignOut as the
// ways to do that ("Ending user sessions with token revocation",
// https://docs.aws.amazon.com/cognito/latest/developerguide/token-revocation.html),
// and the API reference of ChangePassword, ConfirmForgotPassword and
// AdminResetUserPassword says nothing of tokens.

// statusResetRequired is the status AdminResetUserPassword leaves: the
// password no longer signs in until ConfirmForgotPassword.
const statusResetRequired = "RESET_REQUIRED"

var (
	errPasswordReset = apiErr("PasswordResetRequiredException", "Password reset required for the user")
	errNoRecovery    = apiErr(codeInvalidParameter, "Cannot reset password for the user as there is no registered/verified email or phone_number")
)

type forgotPasswordInput struct {
	ClientID   string `json:"ClientId"`
	SecretHash string `json:"SecretHash"`
	Username   string `json:"Username"`
	// ClientMetadata goes to the user migration and custom message
	// triggers.
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// forgotPassword sends a password-reset code to the user's verified
// phone number or email address. API reference, ForgotPassword:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ForgotPassword.html
func (p *Pool) forgotPassword(ctx context.Context, in *forgotPasswordInput) (*codeDeliveryOutput, error) {
	notFound := apiErr(codeUserNotFound, "Username/client id combination not found.")
	// An admin_only pool refuses before the user is looked up: the
	// answer is the pool's and tells nothing of the user. A name no user
	// has may be one the user migration trigger knows (usermigration.go).
	recoverable := func() error {
		if err := p.selfServiceRecovery(); err != nil {
			return err
		}
		c, _ := p.AppClient(in.ClientID)
		_, err := p.migrateUser(ctx, migration{c: c, source: sourceMigrateForgot, username: in.Username, metadata: in.ClientMetadata})
		return err
	}
	var held heldMessages
	out, err := onNamedUser(p, namedUser{in.ClientID, in.SecretHash, in.Username}, recoverable, unknownUserDelivery(notFound), func(u *user) (*codeDeliveryOutput, error) {
		defer p.holdMessagesLocked(&held)()
		if !u.Enabled {
			return nil, errUserDisabled
		}
		if u.Status == statusForceChangePwd {
			return nil, apiErr(codeNotAuthorized, "User password cannot be reset in the current state.")
		}
		out, err := p.sendResetCodeLocked(u, "ForgotPassword", limitForgot)
		if err != nil {
			return nil, err
		}
		return &codeDeliveryOutput{CodeDeliveryDetails: out}, nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.sendHeld(ctx, &held, messageTrigger{in.ClientID, in.ClientMetadata}); err != nil {
		return nil, err
	}
	return out, nil
}

// sendResetCodeLocked sends a password-reset code to u's first verified
// recovery destination, counting the request toward op's limit.
func (p *Pool) sendResetCodeLocked(u *user, op string, limit int) (*codeDeliveryDetails, error) {
	d, ok := p.recoveryDestinationLocked(u)
	if !ok {
		return nil, errNoRecovery
	}
	if err := p.limitSendLocked(u, op, limit); err != nil {
		return nil, err
	}
	return p.sendCodeLocked(u, purposeForgot, forgotCodeValidity, MessageForgotPassword, d), nil
}

type confirmForgotPasswordInput struct {
	ClientID         string `json:"ClientId"`
	SecretHash       string `json:"SecretHash"`
	Username         string `json:"Username"`
	ConfirmationCode string `json:"ConfirmationCode"`
	Password         string `json:"Password"`
	// ClientMetadata goes to the post confirmation trigger.
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// confirmForgotPassword sets a new password with the code ForgotPassword
// or AdminResetUserPassword sent; the user is CONFIRMED afterwards, and
// the post confirmation trigger runs (postconfirm.go). API reference,
// ConfirmForgotPassword:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmForgotPassword.html
func (p *Pool) confirmForgotPassword(ctx context.Context, in *confirmForgotPasswordInput) (*empty, error) {
	if in.Username == "" || in.ConfirmationCode == "" || in.Password == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter Username, ConfirmationCode or Password")
	}
	// The policy is checked before the code is looked at, so that a weak
	// password does not spend it.
	var h string
	checkPassword := func() error {
		if err := p.checkPassword(in.Password); err != nil {
			return err
		}
		h = hashPassword(in.Password)
		return nil
	}
	// With ENABLED, an unknown user answers as a user who asked for no
	// code ("Managing user existence error responses").
	var reset snapshot
	_, err := onNamedUser(p, namedUser{in.ClientID, in.SecretHash, in.Username}, checkPassword, unknownUserAs[*empty](errCodeExpired), func(u *user) (*empty, error) {
		if _, err := p.useCodeLocked(u, purposeForgot, in.ConfirmationCode, "ConfirmForgotPassword", limitConfirmForgt); err != nil {
			return nil, err
		}
		p.setPasswordLocked(u, h, in.Password)
		u.TemporarySince = time.Time{}
		if u.Status == statusResetRequired || u.Status == statusForceChangePwd {
			u.Status = statusConfirmed
		}
		u.LastModified = p.now()
		reset = u.snapshot()
		return &empty{}, nil
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, p.postConfirmation(ctx, sourceConfirmForgotPass, in.ClientID, reset, in.ClientMetadata)
}

// adminResetUserPassword makes the user's password unusable (status
// RESET_REQUIRED; sign-in answers PasswordResetRequiredException) and
// sends a reset code as ForgotPassword does. API reference,
// AdminResetUserPassword:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminResetUserPassword.html
func (p *Pool) adminResetUserPassword(ctx context.Context, in *adminResetUserPasswordInput) (*empty, error) {
	if err := p.selfServiceRecovery(); err != nil {
		return nil, err
	}
	var held heldMessages
	err := p.withUser(in.poolUser, func(u *user) error {
		defer p.holdMessagesLocked(&held)()
		if _, err := p.sendResetCodeLocked(u, "AdminResetUserPassword", limitForgot); err != nil {
			return err
		}
		u.Status = statusResetRequired
		u.LastModified = p.now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, p.sendHeld(ctx, &held, messageTrigger{metadata: in.ClientMetadata})
}

type adminResetUserPasswordInput struct {
	poolUser
	// ClientMetadata goes to the custom message trigger.
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type changePasswordInput struct {
	AccessToken      string `json:"AccessToken"`
	PreviousPassword string `json:"PreviousPassword"`
	ProposedPassword string `json:"ProposedPassword"`
}

// changePassword changes the caller's password, given the current one.
// The API reference lists LimitExceededException without a number; the
// pool refuses after 5 wrong previous passwords in an hour, the limit of
// the other password operations.
// API reference, ChangePassword:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ChangePassword.html
func (p *Pool) changePassword(ctx context.Context, in *changePasswordInput) (*empty, error) {
	if in.PreviousPassword == "" || in.ProposedPassword == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter PreviousPassword or ProposedPassword")
	}
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := p.checkPassword(in.ProposedPassword); err != nil {
		return nil, err
	}
	var stored string
	if err := p.onUser(name, func(u *user) error {
		if p.overLimitLocked(u, "ChangePassword", limitForgot) {
			return errLimitCode
		}
		stored = u.Password
		return nil
	}); err != nil {
		return nil, err
	}
	// The hashes run unlocked, as at sign-in.
	ok := checkPasswordHash(stored, in.PreviousPassword)
	h := hashPassword(in.ProposedPassword)
	return &empty{}, p.onUser(name, func(u *user) error {
		if !ok {
			p.countLocked(u, "ChangePassword")
			return errBadCredentials
		}
		if u.Password != stored {
			// Changed meanwhile: the previous password checked is stale.
			return errBadCredentials
		}
		p.setPasswordLocked(u, h, in.ProposedPassword)
		u.LastModified = p.now()
		return nil
	})
}
