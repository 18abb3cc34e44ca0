package cognitolocal

import (
	"context"
	"maps"
)

// SignUp: a user signing themselves up through an app client.

type signUpInput struct {
	ClientID       string            `json:"ClientId"`
	SecretHash     string            `json:"SecretHash"`
	Username       string            `json:"Username"`
	Password       string            `json:"Password"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ValidationData []attribute       `json:"ValidationData"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type signUpOutput struct {
	UserConfirmed       bool                 `json:"UserConfirmed"`
	UserSub             string               `json:"UserSub"`
	CodeDeliveryDetails *codeDeliveryDetails `json:"CodeDeliveryDetails,omitempty"`
}

// signUp creates an unconfirmed user and sends the code that confirms it
// to an attribute the pool verifies automatically; with none, no code is
// sent and an administrator confirms the user (API reference, SignUp). A
// pre sign-up trigger (presignup.go) may refuse the user, or confirm it
// and verify its addresses, when no code is sent.
func (p *Pool) signUp(ctx context.Context, in *signUpInput) (*signUpOutput, error) {
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	if err := c.checkSecretHash(in.Username, in.SecretHash); err != nil {
		return nil, err
	}
	if !p.AllowsSignUp() {
		return nil, errSignUpNotPermitted
	}
	if err := p.checkPassword(in.Password); err != nil {
		return nil, err
	}
	attrs := attributeMap(in.UserAttributes)
	for n := range attrs {
		if !clientWritable(n) {
			return nil, errUnwritableAttr
		}
	}
	h := hashPassword(in.Password)
	// What refuses the request refuses it before the trigger runs, and
	// again after it, when the pool may have changed; the trigger runs
	// without the lock, free to call the pool.
	r, err := p.checkNewUser(in.Username, attrs, true)
	if err != nil {
		return nil, err
	}
	r.source, r.clientID, r.validation, r.metadata = sourceSignUp, c.ClientID, attributeMap(in.ValidationData), in.ClientMetadata
	resp, err := p.preSignUp(ctx, r)
	if err != nil {
		return nil, err
	}
	// The code goes out, through the custom message trigger
	// (custommessage.go), once the lock is released.
	var held heldMessages
	out, err := func() (*signUpOutput, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		defer p.holdMessagesLocked(&held)()
		// The trigger cannot turn sign-up off, but an UpdateUserPool can while
		// it runs (an administrator's, or one the trigger itself sends): once
		// an update that sets AllowAdminCreateUserOnly has answered, SignUp
		// creates no user. The password policy is not checked again; the
		// password met the policy of its request.
		if !p.AllowsSignUp() {
			return nil, errSignUpNotPermitted
		}
		if err := p.checkRequiredLocked(r.attrs); err != nil {
			return nil, err
		}
		u, err := p.createUserLocked(in.Username, r.username, resp.verifiedAttributes(attrs), resp.verifyEmail || resp.verifyPhone)
		if err != nil {
			return nil, err
		}
		p.setPasswordLocked(u, h, in.Password)
		u.Status = statusUnconfirmed
		out := &signUpOutput{UserConfirmed: false, UserSub: u.sub()}
		if resp.confirm {
			u.Status = statusConfirmed
			out.UserConfirmed = true
			return out, nil
		}
		if d, ok := p.signUpDestinationLocked(u); ok {
			out.CodeDeliveryDetails = p.sendCodeLocked(u, purposeSignUp, signUpCodeValidity, MessageSignUp, d)
		}
		return out, nil
	}()
	if err != nil {
		return nil, err
	}
	if err := p.sendHeld(ctx, &held, messageTrigger{in.ClientID, in.ClientMetadata}); err != nil {
		return nil, err
	}
	return out, nil
}

// checkNewUser checks, under the lock, that username can be created
// with attrs (the required attributes only where required is set, as
// AdminCreateUser does not require them) and returns the pre sign-up
// request's user: its username as it will be kept, a new sub where the
// username is an email address or phone number, and its attributes, the
// address such a username is included.
func (p *Pool) checkNewUser(username string, attrs map[string]string, required bool) (newUserRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := newUserRequest{username: username, attrs: attrs}
	if err := checkUsername(username); err != nil {
		return r, err
	}
	a, err := p.usernameAttribute(username)
	if err != nil {
		return r, err
	}
	if a != "" {
		// An email address given as the username is the email.
		r.attrs = maps.Clone(attrs)
		if r.attrs == nil {
			r.attrs = map[string]string{}
		}
		r.attrs[a] = username
		r.username = newUUID()
	}
	if required {
		if err := p.checkRequiredLocked(r.attrs); err != nil {
			return r, err
		}
	}
	if p.userNamed(username) != nil {
		return r, errUserExists
	}
	return r, nil
}
