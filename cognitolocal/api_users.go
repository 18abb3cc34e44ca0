package cognitolocal

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The JSON API operations on users: the Admin ones and those a user calls with their access token.

// userFields are the members UserType shares with AdminGetUser's answer.
type userFields struct {
	Username             string `json:"Username"`
	UserCreateDate       epoch  `json:"UserCreateDate"`
	UserLastModifiedDate epoch  `json:"UserLastModifiedDate"`
	Enabled              bool   `json:"Enabled"`
	UserStatus           string `json:"UserStatus"`
}

// userType is UserType.
type userType struct {
	userFields
	Attributes []attribute `json:"Attributes"`
}

func (u *user) userType() userType {
	return userType{
		userFields: userFields{
			Username:             u.Username,
			UserCreateDate:       epochOf(u.Created),
			UserLastModifiedDate: epochOf(u.LastModified),
			Enabled:              u.Enabled,
			UserStatus:           u.Status,
		},
		Attributes: attributeList(u.Attributes),
	}
}

type adminCreateUserInput struct {
	UserPoolID             string      `json:"UserPoolId"`
	Username               string      `json:"Username"`
	UserAttributes         []attribute `json:"UserAttributes"`
	TemporaryPassword      string      `json:"TemporaryPassword"`
	MessageAction          string      `json:"MessageAction"`
	DesiredDeliveryMediums []string    `json:"DesiredDeliveryMediums"`
	// ForceAliasCreation moves a verified email or phone alias another
	// user holds to this one (aliases.go).
	ForceAliasCreation bool `json:"ForceAliasCreation"`
	// ValidationData and ClientMetadata go to the pre sign-up trigger.
	ValidationData []attribute       `json:"ValidationData"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type userOutput struct {
	User userType `json:"User"`
}

// adminCreateUser creates a FORCE_CHANGE_PASSWORD user with a temporary
// password (generated when not given) and sends the invitation, unless
// MessageAction is SUPPRESS; RESEND sends an existing user a new one.
// API reference, AdminCreateUser:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
func (p *Pool) adminCreateUser(ctx context.Context, in *adminCreateUserInput) (*userOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	switch in.MessageAction {
	case "", "SUPPRESS", "RESEND":
	default:
		return nil, apiErr(codeInvalidParameter, "MessageAction must be RESEND or SUPPRESS.")
	}
	for _, m := range in.DesiredDeliveryMediums {
		if m != MediumEmail && m != MediumSMS {
			return nil, apiErr(codeInvalidParameter, "DesiredDeliveryMediums must be EMAIL or SMS.")
		}
	}
	pw := in.TemporaryPassword
	if pw == "" {
		pw = temporaryPassword(p.temporaryPasswordLength())
	}
	if err := p.checkPassword(pw); err != nil {
		return nil, err
	}
	h := hashPassword(pw)
	attrs := attributeMap(in.UserAttributes)
	var r newUserRequest
	if in.MessageAction != "RESEND" {
		// The pre sign-up trigger runs for a user to create, without the
		// lock, once the request is known to be acceptable.
		var err error
		if r, err = p.checkNewUser(in.Username, attrs, false); err != nil {
			return nil, err
		}
		r.source, r.validation, r.metadata = sourceAdminCreate, attributeMap(in.ValidationData), in.ClientMetadata
		if _, err := p.preSignUp(ctx, r); err != nil {
			return nil, err
		}
	}
	// The invitation goes out, through the custom message trigger
	// (custommessage.go), once the lock is released. The guide does not
	// list AdminCreateUser among the operations whose ClientMetadata the
	// trigger receives: its event has none.
	var held heldMessages
	out, err := func() (*userOutput, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		defer p.holdMessagesLocked(&held)()
		var u *user
		var err error
		if in.MessageAction == "RESEND" {
			if u, err = p.userLocked(in.Username); err != nil {
				return nil, err
			}
			if u.Status != statusForceChangePwd {
				return nil, apiErr("UnsupportedUserStateException", "Resend not possible: the user's status is not FORCE_CHANGE_PASSWORD.")
			}
		} else if u, err = p.createUserLocked(in.Username, r.username, attrs, in.ForceAliasCreation); err != nil {
			return nil, err
		}
		p.setPasswordLocked(u, h, pw)
		u.Status = statusForceChangePwd
		u.TemporarySince = p.now()
		u.LastModified = p.now()
		if in.MessageAction != "SUPPRESS" {
			p.inviteLocked(u, in.DesiredDeliveryMediums, pw)
		}
		return &userOutput{User: u.userType()}, nil
	}()
	if err != nil {
		return nil, err
	}
	if err := p.sendHeld(ctx, &held, messageTrigger{}); err != nil {
		return nil, err
	}
	return out, nil
}

type adminSetUserPasswordInput struct {
	poolUser
	Password  string `json:"Password"`
	Permanent bool   `json:"Permanent"`
}

func (p *Pool) adminSetUserPassword(_ context.Context, in *adminSetUserPasswordInput) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	return &empty{}, p.SetUserPassword(in.Username, in.Password, in.Permanent)
}

// adminGetUserOutput is UserType with Attributes named UserAttributes.
type adminGetUserOutput struct {
	userFields
	UserAttributes []attribute `json:"UserAttributes"`
	userMFAFields
}

func (p *Pool) adminGetUser(_ context.Context, in *poolUser) (*adminGetUserOutput, error) {
	var out adminGetUserOutput
	err := p.withUser(*in, func(u *user) error {
		t := u.userType()
		out.userFields, out.UserAttributes = t.userFields, t.Attributes
		out.userMFAFields = userMFASettings(u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

type adminUpdateUserAttributesInput struct {
	poolUser
	UserAttributes []attribute `json:"UserAttributes"`
	// ClientMetadata goes to the custom message trigger.
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// adminUpdateUserAttributes sets a user's attributes as
// updateUserAttributes does: an empty value deletes one, a changed
// address the pool verifies automatically gets a code unless the same
// update marks it verified (API reference, AdminUpdateUserAttributes).
func (p *Pool) adminUpdateUserAttributes(ctx context.Context, in *adminUpdateUserAttributesInput) (*empty, error) {
	attrs := attributeMap(in.UserAttributes)
	var held heldMessages
	err := p.withUser(in.poolUser, func(u *user) error {
		defer p.holdMessagesLocked(&held)()
		changed := changingAddresses(u, attrs)
		if err := p.setAttributesLocked(u, attrs); err != nil {
			return err
		}
		p.sendChangeCodesLocked(u, changed)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, p.sendHeld(ctx, &held, messageTrigger{metadata: in.ClientMetadata})
}

type adminDeleteUserAttributesInput struct {
	poolUser
	UserAttributeNames []string `json:"UserAttributeNames"`
}

func (p *Pool) adminDeleteUserAttributes(_ context.Context, in *adminDeleteUserAttributesInput) (*empty, error) {
	return &empty{}, p.withUser(in.poolUser, func(u *user) error {
		return p.deleteAttributesLocked(u, in.UserAttributeNames)
	})
}

// userOp is an Admin operation that is a Go administration method of a
// username.
func userOp(f func(p *Pool, username string) error) apiOp {
	return op(func(p *Pool, _ context.Context, in *poolUser) (*empty, error) {
		if err := p.checkPool(in.UserPoolID); err != nil {
			return nil, err
		}
		return &empty{}, f(p, in.Username)
	})
}

type adminConfirmSignUpInput struct {
	poolUser
	// ClientMetadata goes to the post confirmation trigger.
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// adminConfirmSignUp confirms an UNCONFIRMED user without a code; then
// the post confirmation trigger runs (postconfirm.go), with no app
// client.
func (p *Pool) adminConfirmSignUp(ctx context.Context, in *adminConfirmSignUpInput) (*empty, error) {
	var confirmed snapshot
	err := p.withUser(in.poolUser, func(u *user) error {
		if u.Status != statusUnconfirmed {
			return apiErr(codeNotAuthorized, "User cannot be confirmed. Current status is "+u.Status)
		}
		u.Status = statusConfirmed
		u.LastModified = p.now()
		confirmed = u.snapshot()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, p.postConfirmation(ctx, sourceConfirmSignUp, "", confirmed, in.ClientMetadata)
}

// pageUsers is the page of users, by username, that follows token, in a
// slice of its own, and the token of the next page.
func pageUsers(all []userType, limit int, token string) ([]userType, string, error) {
	page, next, err := pageOf(all, func(u userType) string { return u.Username }, limit, token)
	if err != nil {
		return nil, "", err
	}
	return append([]userType{}, page...), next, nil
}

type listUsersInput struct {
	UserPoolID      string   `json:"UserPoolId"`
	AttributesToGet []string `json:"AttributesToGet"`
	Limit           *int     `json:"Limit"`
	PaginationToken string   `json:"PaginationToken"`
	Filter          string   `json:"Filter"`
}

type listUsersOutput struct {
	Users           []userType `json:"Users"`
	PaginationToken string     `json:"PaginationToken,omitempty"`
}

// listUsers lists users sorted by username, filtered and paged as Cognito
// does (at most 60 a page; paging.go).
func (p *Pool) listUsers(_ context.Context, in *listUsersInput) (*listUsersOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	match, err := parseFilter(in.Filter)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, 0, 60, "limit")
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	var all []userType
	for _, u := range p.users {
		if match(u) {
			all = append(all, u.userType())
		}
	}
	p.mu.Unlock()
	page, next, err := pageUsers(all, limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	out := &listUsersOutput{Users: page, PaginationToken: next}
	if in.AttributesToGet != nil {
		for i := range out.Users {
			out.Users[i].Attributes = slices.DeleteFunc(out.Users[i].Attributes, func(a attribute) bool {
				return !slices.Contains(in.AttributesToGet, a.Name)
			})
		}
	}
	return out, nil
}

// filterAttributes are the names ListUsers can filter on.
var filterAttributes = []string{
	"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub",
}

// parseFilter parses ListUsers' filter: `name = "value"` (exact) or
// `name ^= "value"` (prefix); empty matches every user.
func parseFilter(f string) (func(*user) bool, error) {
	if strings.TrimSpace(f) == "" {
		return func(*user) bool { return true }, nil
	}
	bad := apiErr(codeInvalidParameter, "Error while parsing filter.")
	name, rest, ok := strings.Cut(f, "=")
	if !ok {
		return nil, bad
	}
	prefix := strings.HasSuffix(name, "^")
	name = strings.TrimSpace(strings.TrimSuffix(name, "^"))
	rest = strings.TrimSpace(rest)
	value, err := strconv.Unquote(rest)
	if err != nil || !strings.HasPrefix(rest, `"`) {
		return nil, bad
	}
	if !slices.Contains(filterAttributes, name) {
		return nil, apiErr(codeInvalidParameter, "Invalid search attribute.")
	}
	return func(u *user) bool {
		var v string
		switch name {
		case "username":
			v = u.Username
		case "cognito:user_status":
			v = u.Status
		case "status":
			v = "Disabled"
			if u.Enabled {
				v = "Enabled"
			}
		default:
			v = u.Attributes[name]
		}
		if prefix {
			return strings.HasPrefix(v, value)
		}
		return v == value
	}, nil
}

type accessTokenInput struct {
	AccessToken string `json:"AccessToken"`
}

type getUserOutput struct {
	Username       string      `json:"Username"`
	UserAttributes []attribute `json:"UserAttributes"`
	userMFAFields
}

func (p *Pool) getUser(ctx context.Context, in *accessTokenInput) (*getUserOutput, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	var out *getUserOutput
	err = p.onUser(name, func(u *user) error {
		out = &getUserOutput{Username: u.Username, UserAttributes: attributeList(u.Attributes), userMFAFields: userMFASettings(u)}
		return nil
	})
	return out, err
}

// clientWritable reports whether a user may write attribute name with
// their own access token: the verified flags are for administrators.
func clientWritable(name string) bool {
	return name != "email_verified" && name != "phone_number_verified"
}

type updateUserAttributesInput struct {
	UserAttributes []attribute       `json:"UserAttributes"`
	AccessToken    string            `json:"AccessToken"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type updateUserAttributesOutput struct {
	CodeDeliveryDetailsList []*codeDeliveryDetails `json:"CodeDeliveryDetailsList"`
}

// updateUserAttributes sets the caller's attributes; an empty value
// deletes one, and a changed email address or phone number that the pool
// verifies automatically gets a code (API reference,
// UpdateUserAttributes).
func (p *Pool) updateUserAttributes(ctx context.Context, in *updateUserAttributesInput) (*updateUserAttributesOutput, error) {
	attrs := attributeMap(in.UserAttributes)
	out := &updateUserAttributesOutput{}
	var held heldMessages
	err := p.selfService(ctx, in.AccessToken, slices.Collect(maps.Keys(attrs)), func(u *user) error {
		defer p.holdMessagesLocked(&held)()
		changed := changingAddresses(u, attrs)
		if err := p.setAttributesLocked(u, attrs); err != nil {
			return err
		}
		out.CodeDeliveryDetailsList = p.sendChangeCodesLocked(u, changed)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.sendHeld(ctx, &held, messageTrigger{tokenClientID(in.AccessToken), in.ClientMetadata}); err != nil {
		return nil, err
	}
	return out, nil
}

type deleteUserAttributesInput struct {
	UserAttributeNames []string `json:"UserAttributeNames"`
	AccessToken        string   `json:"AccessToken"`
}

func (p *Pool) deleteUserAttributes(ctx context.Context, in *deleteUserAttributesInput) (*empty, error) {
	return &empty{}, p.selfService(ctx, in.AccessToken, in.UserAttributeNames, func(u *user) error {
		return p.deleteAttributesLocked(u, in.UserAttributeNames)
	})
}

// selfService runs f under the lock on the user of an access token, once
// the token is honoured and the user may write every attribute named.
func (p *Pool) selfService(ctx context.Context, token string, names []string, f func(*user) error) error {
	name, err := p.tokenUser(ctx, token)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !clientWritable(n) {
			return errUnwritableAttr
		}
	}
	return p.onUser(name, f)
}
