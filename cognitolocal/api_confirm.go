package cognitolocal

import (
	"context"
	"maps"
)

// The operations that confirm a sign-up or verify an attribute with a
// code from the outbox.

type confirmSignUpInput struct {
	ClientID         string `json:"ClientId"`
	SecretHash       string `json:"SecretHash"`
	Username         string `json:"Username"`
	ConfirmationCode string `json:"ConfirmationCode"`
	// ForceAliasCreation moves the verified alias to this user when
	// another one holds it (aliases.go).
	ForceAliasCreation bool `json:"ForceAliasCreation"`
	// ClientMetadata goes to the post confirmation trigger.
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// confirmSignUp confirms an UNCONFIRMED user with the code SignUp (or
// ResendConfirmationCode) sent, and verifies the attribute it went to;
// then the post confirmation trigger runs (postconfirm.go). API
// reference, ConfirmSignUp:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmSignUp.html
func (p *Pool) confirmSignUp(ctx context.Context, in *confirmSignUpInput) (*empty, error) {
	if in.Username == "" || in.ConfirmationCode == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter Username or ConfirmationCode")
	}
	// "Managing user existence error responses": with the setting
	// ENABLED, ConfirmSignUp answers an unknown user as a wrong code.
	var confirmed snapshot
	_, err := onNamedUser(p, namedUser{in.ClientID, in.SecretHash, in.Username}, nil, unknownUserAs[*empty](errCodeMismatch), func(u *user) (*empty, error) {
		if u.Status != statusUnconfirmed {
			return nil, apiErr(codeNotAuthorized, "User cannot be confirmed. Current status is "+u.Status)
		}
		pc, err := p.useCodeLocked(u, purposeSignUp, in.ConfirmationCode, "ConfirmSignUp", limitConfirmSign)
		if err != nil {
			return nil, err
		}
		if pc.Attribute != "" {
			next := maps.Clone(u.Attributes)
			next[pc.Attribute+"_verified"] = "true"
			// A right code for an alias another user holds: the user
			// stays unconfirmed and the code stays good, so that the
			// app can ask again with ForceAliasCreation.
			if err := p.claimAliasesLocked(u, next, in.ForceAliasCreation); err != nil {
				u.Codes[purposeSignUp] = pc
				return nil, err
			}
			u.Attributes = next
		}
		u.Status = statusConfirmed
		u.LastModified = p.now()
		confirmed = u.snapshot()
		return &empty{}, nil
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, p.postConfirmation(ctx, sourceConfirmSignUp, in.ClientID, confirmed, in.ClientMetadata)
}

type resendConfirmationCodeInput struct {
	ClientID   string `json:"ClientId"`
	SecretHash string `json:"SecretHash"`
	Username   string `json:"Username"`
	// ClientMetadata goes to the custom message trigger.
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type codeDeliveryOutput struct {
	CodeDeliveryDetails *codeDeliveryDetails `json:"CodeDeliveryDetails,omitempty"`
}

// resendConfirmationCode sends a new sign-up code; the previous one
// stops working. API reference, ResendConfirmationCode:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResendConfirmationCode.html
func (p *Pool) resendConfirmationCode(ctx context.Context, in *resendConfirmationCodeInput) (*codeDeliveryOutput, error) {
	var held heldMessages
	out, err := onNamedUser(p, namedUser{in.ClientID, in.SecretHash, in.Username}, nil, unknownUserDelivery(errUserNotFound), func(u *user) (*codeDeliveryOutput, error) {
		defer p.holdMessagesLocked(&held)()
		if u.Status != statusUnconfirmed {
			return nil, apiErr(codeInvalidParameter, "User is already confirmed.")
		}
		d, ok := p.signUpDestinationLocked(u)
		if !ok {
			return nil, apiErr(codeInvalidParameter, "Cannot resend codes. Auto verification not turned on.")
		}
		if err := p.limitSendLocked(u, "ResendConfirmationCode", limitResend); err != nil {
			return nil, err
		}
		return &codeDeliveryOutput{CodeDeliveryDetails: p.sendCodeLocked(u, purposeSignUp, signUpCodeValidity, MessageResendCode, d)}, nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.sendHeld(ctx, &held, messageTrigger{in.ClientID, in.ClientMetadata}); err != nil {
		return nil, err
	}
	return out, nil
}

type attributeCodeInput struct {
	AccessToken   string `json:"AccessToken"`
	AttributeName string `json:"AttributeName"`
	// ClientMetadata goes to the custom message trigger.
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// getUserAttributeVerificationCode sends a code that verifies the
// caller's email address or phone number. API reference,
// GetUserAttributeVerificationCode:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUserAttributeVerificationCode.html
func (p *Pool) getUserAttributeVerificationCode(ctx context.Context, in *attributeCodeInput) (*codeDeliveryOutput, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	var out codeDeliveryOutput
	var held heldMessages
	err = p.onUser(name, func(u *user) error {
		defer p.holdMessagesLocked(&held)()
		d, ok := attributeDestination(u, in.AttributeName)
		if !ok {
			return apiErr(codeInvalidParameter, "Only email and phone_number can be verified.")
		}
		if d.address == "" {
			return apiErr(codeInvalidParameter, "The user has no value for the attribute to verify.")
		}
		if err := p.limitSendLocked(u, "GetUserAttributeVerificationCode", limitSendAttrCode); err != nil {
			return err
		}
		out.CodeDeliveryDetails = p.sendCodeLocked(u, purposeAttribute+d.attribute, attributeCodeValidity, MessageVerifyUserAttribute, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.sendHeld(ctx, &held, messageTrigger{tokenClientID(in.AccessToken), in.ClientMetadata}); err != nil {
		return nil, err
	}
	return &out, nil
}

type verifyUserAttributeInput struct {
	AccessToken   string `json:"AccessToken"`
	AttributeName string `json:"AttributeName"`
	Code          string `json:"Code"`
}

// verifyUserAttribute marks the caller's email address or phone number
// verified with the code sent for it. API reference, VerifyUserAttribute:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_VerifyUserAttribute.html
func (p *Pool) verifyUserAttribute(ctx context.Context, in *verifyUserAttributeInput) (*empty, error) {
	if in.Code == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter Code")
	}
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &empty{}, p.onUser(name, func(u *user) error {
		d, ok := attributeDestination(u, in.AttributeName)
		if !ok {
			return apiErr(codeInvalidParameter, "Only email and phone_number can be verified.")
		}
		pc, err := p.useCodeLocked(u, purposeAttribute+d.attribute, in.Code, "VerifyUserAttribute", limitVerifyAttr)
		if err != nil {
			return err
		}
		next := maps.Clone(u.Attributes)
		next[d.attribute+"_verified"] = "true"
		if err := p.claimAliasesLocked(u, next, false); err != nil {
			u.Codes[purposeAttribute+d.attribute] = pc // the code stays good
			return err
		}
		u.Attributes = next
		u.LastModified = p.now()
		return nil
	})
}

// namedUser is how an operation an app client calls without a token
// names its user.
type namedUser struct {
	clientID, secretHash, username string
}

// onNamedUser is the common prelude of the operations an app client
// calls without a token, naming a user (ConfirmSignUp,
// ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword): the
// username must be given and the client found, its SECRET_HASH checked.
// Then unlocked, when set, runs without the pool's lock (a new password's
// policy check and hash), and op runs on the user with the lock held; a
// name no user has gets unknown's answer, which depends on the client's
// PreventUserExistenceErrors.
func onNamedUser[T any](p *Pool, n namedUser, unlocked func() error, unknown func(*AppClient) (T, error), op func(*user) (T, error)) (T, error) {
	var none T
	if n.username == "" {
		return none, errUsernameMissing
	}
	c, err := p.publicClient(n.clientID, n.username, n.secretHash)
	if err != nil {
		return none, err
	}
	if unlocked != nil {
		if err := unlocked(); err != nil {
			return none, err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.userNamed(n.username)
	if u == nil {
		return unknown(&c)
	}
	return op(u)
}

// unknownUserAs answers an unknown user with hidden when the client
// prevents user existence errors, else UserNotFoundException.
func unknownUserAs[T any](hidden error) func(*AppClient) (T, error) {
	return func(c *AppClient) (T, error) {
		var none T
		return none, c.unknownUser(hidden)
	}
}

// unknownUserDelivery answers an operation that sends a code, for an
// unknown user: a simulated delivery when the client prevents user
// existence errors, else visible.
func unknownUserDelivery(visible error) func(*AppClient) (*codeDeliveryOutput, error) {
	return func(c *AppClient) (*codeDeliveryOutput, error) {
		if c.hidesUsers() {
			return &codeDeliveryOutput{CodeDeliveryDetails: simulatedDelivery()}, nil
		}
		return nil, visible
	}
}

// simulatedDelivery is what the operations that send a code answer for
// an unknown user when the client prevents user existence errors: a
// plausible delivery, so that the answer reveals nothing.
// "Managing user existence error responses":
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html
func simulatedDelivery() *codeDeliveryDetails {
	return &codeDeliveryDetails{Destination: mask(destination{medium: MediumEmail, address: "u@e"}), DeliveryMedium: MediumEmail, AttributeName: "email"}
}

// publicClient finds the app client of an unauthenticated operation and
// checks the SECRET_HASH a confidential client must send.
func (p *Pool) publicClient(clientID, username, secretHash string) (AppClient, error) {
	c, ok := p.AppClient(clientID)
	if !ok {
		return AppClient{}, errClientNotFound
	}
	if err := c.checkSecretHash(username, secretHash); err != nil {
		return AppClient{}, err
	}
	return c, nil
}
