package cognitolocal

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"

	"github.com/aws/aws-lambda-go/events"
)

// The user migration trigger, as the developer guide's "Migrate user
// Lambda trigger" and "Importing users with a user migration Lambda
// trigger" describe it: when a sign-in with a password or ForgotPassword
// names no user of the pool (by username or alias), the pool asks the
// function, which looks the user up in the directory the app leaves, and
// creates the user it answers. A sign-in then goes on as any other (pre
// authentication, the password, MFA, post authentication, tokens); a
// forgotten password gets its reset code. The guide's import page says
// the SDK "does not send the password to the server in the SRP
// authentication flow", so that apps must sign in with
// USER_PASSWORD_AUTH to migrate (or USER_AUTH naming PASSWORD and
// sending it, as PREFERRED_CHALLENGE or as a SELECT_CHALLENGE answer,
// userauth.go): USER_SRP_AUTH, CUSTOM_AUTH and passwordless
// sign-in never run it, as the trigger page's note says of the latter.

// UserMigrationTrigger is a user migration trigger, in the shape
// lambda.Start accepts.
type UserMigrationTrigger func(ctx context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error)

func (t UserMigrationTrigger) invoke(ctx context.Context, ev any) error {
	return invokeAs(ctx, t, ev)
}

// UserMigration is a user migration trigger. Its response may carry
// enableSMSMFA, which aws-lambda-go's event lacks: a pool that runs the
// function reads it (migrateUser); a Go trigger cannot answer it.
func (f *HTTPFunction) UserMigration(ctx context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
	var raw json.RawMessage
	if err := f.post(ctx, ev, &raw); err != nil {
		return ev, err
	}
	var out events.CognitoEventUserPoolsMigrateUser
	var extra struct {
		Response struct {
			EnableSMSMFA bool `json:"enableSMSMFA"`
		} `json:"response"`
	}
	if json.Unmarshal(raw, &out) != nil || json.Unmarshal(raw, &extra) != nil {
		return ev, errUnrecognizable
	}
	if p, ok := ctx.Value(smsMFAKey{}).(*bool); ok {
		*p = extra.Response.EnableSMSMFA
	}
	return out, nil
}

// smsMFAKey carries, in the context of a migration, where UserMigration
// writes the response's enableSMSMFA.
type smsMFAKey struct{}

// Refusals of enableSMSMFA. The trigger page: "Your user pool must have
// MFA enabled. Your user's attributes in the request parameters must
// include a phone number, or else the migration of that user will
// fail." It names no exception; the pool answers as for any response it
// cannot act on.
var (
	errMigrateSMSOff     = apiErr(codeInvalidLambdaResp, "UserMigration answered enableSMSMFA, but the user pool does not allow SMS MFA.")
	errMigrateSMSNoPhone = apiErr(codeInvalidLambdaResp, "UserMigration answered enableSMSMFA without a phone_number attribute.")
)

const (
	lambdaUserMigration = "UserMigration"
	sourceMigrateAuth   = "UserMigration_Authentication"
	sourceMigrateForgot = "UserMigration_ForgotPassword"
)

// migration is one run of the trigger: the user the request names, and
// what the request carries for the function.
type migration struct {
	c                    AppClient
	source, username     string
	password             string // the sign-in's; none for a forgotten password
	validation, metadata map[string]string
}

// migrateUser creates the user m names from the pool's user migration
// trigger, when the pool has one and no user has that name. migrated is
// false when nothing was created: no trigger, a user already there, or a
// function that refused, which the guide's example does for a wrong
// password or a user it does not know ("Return error to Amazon
// Cognito"); the caller then answers the name as one no user has. The
// guide does not say what a refusal answers; answering it as an unknown
// name keeps a client that hides users from telling the two apart. A
// trigger that cannot run (unmapped, past its limit, an unreadable
// answer) or an answer the pool cannot create a user from fails the
// request with its exception.
func (p *Pool) migrateUser(ctx context.Context, m migration) (migrated bool, err error) {
	if m.source == sourceMigrateAuth && m.password == "" {
		// A sign-in without a password migrates no one: the user would
		// keep an empty password and sign in with none.
		return false, nil
	}
	p.mu.Lock()
	known := p.userNamed(m.username) != nil
	p.mu.Unlock()
	if known {
		return false, nil
	}
	l, err := p.lambda(lambdaUserMigration)
	if err != nil || l == nil {
		return false, err
	}
	ev := events.CognitoEventUserPoolsMigrateUser{CognitoEventUserPoolsHeader: p.eventHeader(m.source, m.c.ClientID, m.username)}
	ev.CognitoEventUserPoolsMigrateUserRequest = events.CognitoEventUserPoolsMigrateUserRequest{
		Password: m.password, ValidationData: maps.Clone(m.validation), ClientMetadata: maps.Clone(m.metadata),
	}
	var smsMFA bool
	if err := callLambda(context.WithValue(ctx, smsMFAKey{}, &smsMFA), lambdaUserMigration, l, &ev); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == codeUserLambdaValidate {
			return false, nil
		}
		return false, err
	}
	resp := ev.CognitoEventUserPoolsMigrateUserResponse
	if err := checkMigrationResponse(resp); err != nil {
		return false, err
	}
	if smsMFA {
		if c := p.MFAConfig(); c.Mode == MFAOff || !c.SMS {
			return false, errMigrateSMSOff
		}
		if resp.UserAttributes["phone_number"] == "" {
			return false, errMigrateSMSNoPhone
		}
	}
	var hash string
	if m.source == sourceMigrateAuth {
		// The guide: the pool's password policy "will not be enforced
		// during migration".
		hash = hashPassword(m.password)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.userNamed(m.username) != nil {
		// Created while the function ran: that user signs in.
		return false, nil
	}
	u, err := p.createUserLocked(m.username, "", resp.UserAttributes, resp.ForceAliasCreation)
	if err != nil {
		return false, err
	}
	// A sign-in's user keeps the password it signed in with, CONFIRMED
	// unless the function answers RESET_REQUIRED; the user of a
	// forgotten password has none until ConfirmForgotPassword sets one.
	u.Status = statusConfirmed
	if m.source == sourceMigrateAuth {
		p.setPasswordLocked(u, hash, m.password)
	}
	if m.source == sourceMigrateForgot || resp.FinalUserStatus == statusResetRequired {
		u.Status = statusResetRequired
	}
	if smsMFA {
		mfaOf(u).SMS = true
	}
	if resp.MessageAction != "SUPPRESS" {
		p.sendInvitationLocked(u, resp.DesiredDeliveryMediums, "", welcomeText(u.Username))
	}
	return true, nil
}

// checkMigrationResponse checks the members the guide gives the
// response: userAttributes ("This field is required"), finalUserStatus
// CONFIRMED or RESET_REQUIRED, messageAction SUPPRESS and
// desiredDeliveryMediums EMAIL or SMS. The guide lists no other values;
// the pool refuses them as Cognito refuses output it cannot read.
func checkMigrationResponse(r events.CognitoEventUserPoolsMigrateUserResponse) error {
	if len(r.UserAttributes) == 0 {
		return apiErr(codeInvalidLambdaResp, "UserMigration answered no userAttributes: the user needs at least one attribute.")
	}
	switch r.FinalUserStatus {
	case "", statusConfirmed, statusResetRequired:
	default:
		return apiErr(codeInvalidLambdaResp, "UserMigration answered a finalUserStatus other than CONFIRMED or RESET_REQUIRED.")
	}
	switch r.MessageAction {
	case "", "SUPPRESS":
	default:
		return apiErr(codeInvalidLambdaResp, "UserMigration answered a messageAction other than SUPPRESS.")
	}
	for _, m := range r.DesiredDeliveryMediums {
		if !slices.Contains([]string{MediumEmail, MediumSMS}, m) {
			return apiErr(codeInvalidLambdaResp, "UserMigration answered desiredDeliveryMediums other than EMAIL or SMS.")
		}
	}
	return nil
}

// welcomeText is the welcome message of a migrated user. The guide calls
// it "the welcome message usually sent by Amazon Cognito to new users"
// without giving its text; the pool's names the user and, unlike an
// invitation, holds no password: the user keeps the one they had.
func welcomeText(username string) string {
	return "Welcome. Your username is " + username + "."
}
