package cognitolocal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

// The user migration trigger, as the developer guide's "Migrate user
// Lambda trigger"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-migrate-user.html)
// and "Importing users with a user migration Lambda trigger"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-import-using-lambda.html)
// describe it.

type migrateEvent = events.CognitoEventUserPoolsMigrateUser

// legacyDirectory is the guide's example function: at sign-in it
// authenticates the user against the old directory (here "lee" with
// "old-pass") and answers the user's email, verified, CONFIRMED, without
// a welcome message; for a forgotten password it looks the user up; for
// anyone else it refuses ("Bad password").
func legacyDirectory(ev *migrateEvent) error {
	if ev.UserName != "lee" || (ev.TriggerSource == sourceMigrateAuth && ev.Password != "old-pass") {
		return errors.New("Bad password")
	}
	ev.UserAttributes = map[string]string{"email": "lee@example.com", "email_verified": "true"}
	if ev.TriggerSource == sourceMigrateAuth {
		ev.FinalUserStatus = "CONFIRMED"
	}
	ev.MessageAction = "SUPPRESS"
	return nil
}

func migrationPool(t *testing.T, respond func(*migrateEvent) error) (*Pool, *recorderOf[migrateEvent]) {
	t.Helper()
	rc := &recorderOf[migrateEvent]{respond: respond}
	p := newPool(t, Config{UserMigration: rc.trigger})
	return p, rc
}

// "When a user doesn't exist in the user pool at sign-in with a password
// … Amazon Cognito invokes this trigger. After the Lambda function
// returns successfully, Amazon Cognito creates the user": the event has
// UserMigration_Authentication, the username and password entered, and
// InitiateAuth's ClientMetadata as validationData ("To pass this data to
// your Lambda function, you can use the ClientMetadata parameter in the
// InitiateAuth and AdminInitiateAuth API actions"). The user is created
// with the attributes answered and a sub of its own, and signs in with
// the password given, which the pool's policy does not judge ("it will
// still be accepted to allow user migration to continue"). The next
// sign-in finds the user and does not ask the function again.
func TestUserMigrationOnSignIn(t *testing.T) {
	p, rc := migrationPool(t, legacyDirectory)
	in := passwordAuth(DefaultClientID, "lee", "old-pass")
	in["ClientMetadata"] = map[string]string{"app": "shop"}
	status, out := call(t, p, "InitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	ev := rc.last(t)
	require.Equal(t, "1", ev.Version)
	require.Equal(t, "UserMigration_Authentication", ev.TriggerSource)
	require.Equal(t, p.PoolID(), ev.UserPoolID)
	require.Equal(t, "lee", ev.UserName)
	require.Equal(t, DefaultClientID, ev.CallerContext.ClientID)
	require.Equal(t, "old-pass", ev.Password)
	require.Equal(t, map[string]string{"app": "shop"}, ev.ValidationData)
	id := payload(t, out["AuthenticationResult"].(map[string]any)["IdToken"].(string))
	require.Equal(t, "lee", id["cognito:username"])
	require.Equal(t, "lee@example.com", id["email"])
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id["sub"])
	user := getUser(t, p, "lee")
	require.Equal(t, "CONFIRMED", user["UserStatus"])
	require.Equal(t, "true", user["attrs"].(map[string]any)["email_verified"])
	require.Empty(t, p.Messages(MessageFilter{Username: "lee"}), "messageAction SUPPRESS")

	status, out = call(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "lee", "old-pass"))
	require.Equal(t, http.StatusOK, status, out)
	require.Len(t, rc.all(), 1)
	// A known user's wrong password is the pool's to refuse.
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "lee", "wrong-pass"), codeNotAuthorized, "")
	require.Len(t, rc.all(), 1)
}

// ADMIN_USER_PASSWORD_AUTH migrates too, with AdminInitiateAuth's
// ClientMetadata as validationData; the sign-in goes on as any other:
// pre authentication runs for the user just created.
func TestUserMigrationOnAdminSignIn(t *testing.T) {
	rc := &recorderOf[migrateEvent]{respond: legacyDirectory}
	auth := &authRecorders{}
	p := newPool(t, Config{UserMigration: rc.trigger, PreAuthentication: auth.pre.trigger, PostAuthentication: auth.post.trigger})
	server, err := p.CreateAppClient(AppClient{ClientName: "server", ExplicitAuthFlows: []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH"}})
	require.NoError(t, err)
	status, out := call(t, p, "AdminInitiateAuth", map[string]any{"UserPoolId": p.PoolID(), "ClientId": server.ClientID, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "lee", "PASSWORD": "old-pass"}, "ClientMetadata": map[string]string{"from": "admin"}})
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
	require.Equal(t, map[string]string{"from": "admin"}, rc.last(t).ValidationData)
	require.Equal(t, server.ClientID, rc.last(t).CallerContext.ClientID)
	require.Equal(t, "lee@example.com", auth.pre.last(t).Request.UserAttributes["email"])
	require.Len(t, auth.post.all(), 1)
}

// finalUserStatus RESET_REQUIRED: "the user is required to change his or
// her password immediately after migration at the time of sign-in, and
// your client app needs to handle the PasswordResetRequiredException".
// The user is created, and ForgotPassword then resets the password.
func TestUserMigrationResetRequired(t *testing.T) {
	var saved int
	p := newPool(t, Config{OnChange: func() { saved++ }, UserMigration: func(_ context.Context, ev migrateEvent) (migrateEvent, error) {
		ev.UserAttributes = map[string]string{"email": "lee@example.com", "email_verified": "true"}
		ev.FinalUserStatus = "RESET_REQUIRED"
		ev.MessageAction = "SUPPRESS"
		return ev, nil
	}})
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "lee", "old-pass"), "PasswordResetRequiredException", "Password reset required for the user")
	// The user stands, and is saved, though the sign-in was refused.
	require.Equal(t, 1, saved)
	require.Equal(t, "RESET_REQUIRED", getUser(t, p, "lee")["UserStatus"])
	status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "lee"})
	require.Equal(t, http.StatusOK, status, out)
	code, ok := p.LastCode("lee", MessageForgotPassword)
	require.True(t, ok)
	status, out = call(t, p, "ConfirmForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "lee", "ConfirmationCode": code, "Password": "N3w-Passw0rd!"})
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "lee", "N3w-Passw0rd!"))
	require.Equal(t, http.StatusOK, status, out)
}

// A function that refuses ("callback("Bad password")" in the guide's
// example) creates no user. The guide does not say what the sign-in then
// answers; the pool answers as for a name no user has, so a client that
// hides users (PreventUserExistenceErrors ENABLED) gets "Incorrect
// username or password." as "Managing user existence error responses"
// (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html)
// describes for unknown users, and a LEGACY client UserNotFoundException.
func TestUserMigrationRefused(t *testing.T) {
	p, rc := migrationPool(t, legacyDirectory)
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "lee", "wrong-pass"), codeNotAuthorized, "Incorrect username or password.")
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "kim", "old-pass"), codeNotAuthorized, "Incorrect username or password.")
	legacy, err := p.CreateAppClient(AppClient{ClientName: "legacy", ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH"}, PreventUserExistenceErrors: existenceLegacy})
	require.NoError(t, err)
	requireAPIError(t, p, "InitiateAuth", passwordAuth(legacy.ClientID, "lee", "wrong-pass"), codeUserNotFound, "")
	require.Len(t, rc.all(), 3)
	requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "lee"}, codeUserNotFound, "")
}

// The flows that send no password never migrate: the import page says
// apps "must not use the default USER_SRP_AUTH flow since the SDK does
// not send the password to the server in the SRP authentication flow",
// and the trigger page that Cognito "doesn't invoke this trigger when
// users authenticate with passwordless sign-in".
func TestUserMigrationNotOnSRPOrPasswordless(t *testing.T) {
	p, rc := migrationPool(t, legacyDirectory)
	c := newSRPTestClient(t, p.PoolID())
	srpInitiate(t, p, DefaultClientID, "lee", c, nil) // the decoy challenge of an unknown name
	status, out := userAuth(t, p, map[string]string{"USERNAME": "lee", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	require.Equal(t, http.StatusOK, status, out)
	require.Empty(t, rc.all())
	requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "lee"}, codeUserNotFound, "")
}

// ForgotPassword for a name no user has: UserMigration_ForgotPassword,
// no password ("Amazon Cognito doesn't send this value in a request
// that's initiated by a forgot-password flow"), ForgotPassword's
// ClientMetadata as clientMetadata. "Then Amazon Cognito sends the user a
// reset password code by email or SMS", which needs "either a verified
// email or a verified phone number". The user has no password until
// ConfirmForgotPassword.
func TestUserMigrationOnForgotPassword(t *testing.T) {
	p, rc := migrationPool(t, legacyDirectory)
	status, out := call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "lee", "ClientMetadata": map[string]string{"via": "app"}})
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "EMAIL", out["CodeDeliveryDetails"].(map[string]any)["DeliveryMedium"])
	ev := rc.last(t)
	require.Equal(t, "UserMigration_ForgotPassword", ev.TriggerSource)
	require.Empty(t, ev.Password)
	require.Equal(t, map[string]string{"via": "app"}, ev.ClientMetadata)
	require.Equal(t, "RESET_REQUIRED", getUser(t, p, "lee")["UserStatus"])
	// No password signs in until the reset: the function gave none.
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "lee", "old-pass"), codeNotAuthorized, "")
	code, ok := p.LastCode("lee", MessageForgotPassword)
	require.True(t, ok)
	status, out = call(t, p, "ConfirmForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "lee", "ConfirmationCode": code, "Password": "N3w-Passw0rd!"})
	require.Equal(t, http.StatusOK, status, out)
	status, out = call(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "lee", "N3w-Passw0rd!"))
	require.Equal(t, http.StatusOK, status, out)
	require.Len(t, rc.all(), 1)

	// A name the directory does not know: the answer of an unknown name,
	// simulated through a client that hides users.
	status, out = call(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "kim"})
	require.Equal(t, http.StatusOK, status, out)
	requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "kim"}, codeUserNotFound, "")
}

// Managed Login's sign-in form migrates as the API does (the import
// page: users sign in "using the hosted sign-in UI provided by Amazon
// Cognito"), and its forgot-password page too; a refusal shows the form
// again as for an unknown name. A form without a username asks no one.
func TestUserMigrationOnManagedLoginPages(t *testing.T) {
	p, rc := migrationPool(t, legacyDirectory)
	rec := postPage(t, p, "/login", url.Values{"username": {"lee"}, "password": {"wrong-pass"}})
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), "Incorrect username or password.")
	rec = postPage(t, p, "/login", url.Values{"username": {"lee"}, "password": {"old-pass"}})
	require.Equal(t, http.StatusFound, rec.Code, rec.Body.String())
	require.Equal(t, "CONFIRMED", getUser(t, p, "lee")["UserStatus"])
	rec = postPage(t, p, "/login", url.Values{"password": {"old-pass"}})
	require.Equal(t, http.StatusOK, rec.Code)
	require.Len(t, rc.all(), 2)

	rec = postPage(t, p, "/forgotPassword", url.Values{"username": {"mae"}})
	require.Equal(t, http.StatusOK, rec.Code)
	require.Len(t, rc.all(), 3)
	require.Equal(t, sourceMigrateForgot, rc.last(t).TriggerSource)
}

// A migrated user without a verified address cannot get a reset code:
// the guide's note on userAttributes.
func TestUserMigrationForgotPasswordNeedsAVerifiedAddress(t *testing.T) {
	p, _ := migrationPool(t, func(ev *migrateEvent) error {
		ev.UserAttributes = map[string]string{"email": "lee@example.com"}
		ev.MessageAction = "SUPPRESS"
		return nil
	})
	requireAPIError(t, p, "ForgotPassword", map[string]any{"ClientId": DefaultClientID, "Username": "lee"}, codeInvalidParameter,
		"Cannot reset password for the user as there is no registered/verified email or phone_number")
}

// messageAction left out sends "the welcome message usually sent by
// Amazon Cognito to new users", by desiredDeliveryMediums. The guide
// gives no text; the pool's names the user and holds no password.
func TestUserMigrationWelcomeMessage(t *testing.T) {
	p, _ := migrationPool(t, func(ev *migrateEvent) error {
		ev.UserAttributes = map[string]string{"email": "lee@example.com", "email_verified": "true", "phone_number": "+15555550100"}
		ev.DesiredDeliveryMediums = []string{"EMAIL"}
		return nil
	})
	status, out := call(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "lee", "old-pass"))
	require.Equal(t, http.StatusOK, status, out)
	msgs := p.Messages(MessageFilter{Username: "lee"})
	require.Len(t, msgs, 1)
	require.Equal(t, MessageAdminCreateUser, msgs[0].Kind)
	require.Equal(t, "lee@example.com", msgs[0].Destination)
	require.Contains(t, msgs[0].Message, "lee")
	require.NotContains(t, msgs[0].Message, "old-pass")
}

// forceAliasCreation: with it, an email another user holds as a verified
// alias moves to the migrated user; without it "the user will not be
// migrated, and an error is returned to the client app".
func TestUserMigrationAliases(t *testing.T) {
	root := newPool(t, Config{})
	var force bool
	rc := &recorderOf[migrateEvent]{respond: func(ev *migrateEvent) error {
		ev.UserAttributes = map[string]string{"email": "shared@example.com", "email_verified": "true"}
		ev.MessageAction = "SUPPRESS"
		ev.ForceAliasCreation = force
		return nil
	}}
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:migrate"
	p, client := apiPool(t, root, map[string]any{"AliasAttributes": []string{"email"}, "LambdaConfig": map[string]any{"UserMigration": arn}})
	p.Service().SetLambda(arn, UserMigrationTrigger(rc.trigger))
	_, err := p.CreateUser("owner", testPassword, map[string]string{"email": "shared@example.com", "email_verified": "true"})
	require.NoError(t, err)
	requireAPIError(t, root, "InitiateAuth", passwordAuth(client, "lee", "old-pass"), "AliasExistsException", "")
	requireAPIError(t, root, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "lee"}, codeUserNotFound, "")
	force = true
	status, out := call(t, root, "InitiateAuth", passwordAuth(client, "lee", "old-pass"))
	require.Equal(t, http.StatusOK, status, out)
	// The alias now signs the migrated user in.
	status, out = call(t, root, "InitiateAuth", passwordAuth(client, "shared@example.com", "old-pass"))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "lee", payload(t, out["AuthenticationResult"].(map[string]any)["IdToken"].(string))["cognito:username"])
	require.Len(t, rc.all(), 2)
}

// Answers the pool cannot create a user from refuse the sign-in and
// create nothing: no userAttributes ("This field is required"), a
// finalUserStatus, messageAction or delivery medium the guide does not
// list (InvalidLambdaResponseException, as Cognito answers output it
// cannot use), and attributes the pool would refuse an administrator
// (the sub, which the pool assigns, or one the schema lacks).
func TestUserMigrationInvalidResponses(t *testing.T) {
	for name, tc := range map[string]struct {
		respond func(*migrateEvent)
		code    string
	}{
		"no attributes":       {func(ev *migrateEvent) {}, codeInvalidLambdaResp},
		"final status":        {func(ev *migrateEvent) { ev.FinalUserStatus = "UNCONFIRMED" }, codeInvalidLambdaResp},
		"message action":      {func(ev *migrateEvent) { ev.MessageAction = "RESEND" }, codeInvalidLambdaResp},
		"delivery medium":     {func(ev *migrateEvent) { ev.DesiredDeliveryMediums = []string{"VOICE"} }, codeInvalidLambdaResp},
		"sub":                 {func(ev *migrateEvent) { ev.UserAttributes = map[string]string{"sub": "chosen"} }, codeInvalidParameter},
		"undefined attribute": {func(ev *migrateEvent) { ev.UserAttributes = map[string]string{"custom:nothing": "x"} }, codeInvalidParameter},
	} {
		t.Run(name, func(t *testing.T) {
			p, _ := migrationPool(t, func(ev *migrateEvent) error {
				if name != "no attributes" {
					ev.UserAttributes = map[string]string{"email": "lee@example.com"}
				}
				tc.respond(ev)
				return nil
			})
			requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "lee", "old-pass"), tc.code, "")
			requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "lee"}, codeUserNotFound, "")
		})
	}
}

// A pool whose LambdaConfig names a function mapped to nothing fails the
// sign-in of an unknown name, as an unreachable function would, rather
// than answering it as a refusal.
func TestUserMigrationUnmappedARN(t *testing.T) {
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{"UserMigration": "arn:aws:lambda:us-east-1:000000000000:function:none"}})
	requireAPIError(t, root, "InitiateAuth", passwordAuth(client, "lee", "old-pass"), codeUnexpectedLambda, "UserMigration"+errNoMappedLocal)
	_, err := p.CreateUser("ann", testPassword, nil)
	require.NoError(t, err)
	status, out := call(t, root, "InitiateAuth", passwordAuth(client, "ann", testPassword))
	require.Equal(t, http.StatusOK, status, "a known user does not need the function: %v", out)
}

// An HTTPFunction receives the event as JSON, with request.password,
// validationData and clientMetadata, and its answer creates the user; a
// thrown error ({"errorMessage": …}) is the function's refusal.
func TestUserMigrationOverHTTP(t *testing.T) {
	var mu sync.Mutex
	var seen []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		_ = json.NewDecoder(r.Body).Decode(&ev)
		mu.Lock()
		seen = append(seen, ev)
		mu.Unlock()
		req := ev["request"].(map[string]any)
		if ev["userName"] != "lee" || req["password"] != "old-pass" {
			_, _ = w.Write([]byte(`{"errorMessage":"Bad password"}`))
			return
		}
		ev["response"] = map[string]any{"userAttributes": map[string]string{"email": "lee@example.com", "email_verified": "true"},
			"finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS"}
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer srv.Close()
	const arn = "arn:aws:lambda:us-east-1:000000000000:function:migrate"
	root := newPool(t, Config{})
	p, client := apiPool(t, root, map[string]any{"LambdaConfig": map[string]any{"UserMigration": arn}})
	p.Service().SetLambda(arn, NewHTTPFunction(srv.URL))
	requireAPIError(t, root, "InitiateAuth", passwordAuth(client, "lee", "wrong"), codeUserNotFound, "")
	in := passwordAuth(client, "lee", "old-pass")
	in["ClientMetadata"] = map[string]string{"k": "v"}
	status, out := call(t, root, "InitiateAuth", in)
	require.Equal(t, http.StatusOK, status, out)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2)
	require.Equal(t, "UserMigration_Authentication", seen[1]["triggerSource"])
	require.Equal(t, map[string]any{"k": "v"}, seen[1]["request"].(map[string]any)["validationData"])
}

// A Go trigger for another event is refused where it is mapped.
func TestUserMigrationTriggerAnswersOnlyItsEvent(t *testing.T) {
	var tr UserMigrationTrigger = func(_ context.Context, ev migrateEvent) (migrateEvent, error) { return ev, nil }
	require.ErrorIs(t, tr.invoke(context.Background(), &events.CognitoEventUserPoolsPreSignup{}), errOtherTrigger)
	require.True(t, isNilTrigger(UserMigrationTrigger(nil)))
}

// Choice-based sign-in that names PASSWORD and sends it is a sign-in
// with a password ("When a user doesn't exist in the user pool at
// sign-in with a password … Amazon Cognito invokes this trigger"; only
// passwordless sign-in is excepted): the user migrates and signs in.
func TestUserMigrationOnChoiceBasedPassword(t *testing.T) {
	p, rc := migrationPool(t, legacyDirectory)
	in := map[string]string{"USERNAME": "lee", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "old-pass"}
	status, out := userAuth(t, p, in)
	require.Equal(t, http.StatusOK, status, out)
	require.NotNil(t, out["AuthenticationResult"], out)
	require.Equal(t, sourceMigrateAuth, rc.last(t).TriggerSource)
	require.Equal(t, "old-pass", rc.last(t).Password)
	in["PASSWORD"] = "wrong-pass"
	in["USERNAME"] = "kim"
	requireAPIError(t, p, "InitiateAuth", map[string]any{"AuthFlow": "USER_AUTH", "ClientId": DefaultClientID, "AuthParameters": in}, codeNotAuthorized, "Incorrect username or password.")
	require.Len(t, rc.all(), 2)
}

// Managed Login's form posted with a name and no password asks the
// function nothing: a sign-in with a password carries one (the API
// refuses a missing PASSWORD before), and a function that vouches for
// the name alone, as a forgot-password migration does, would otherwise
// create a user whose password is empty and who signs in with none.
func TestUserMigrationNeedsAPassword(t *testing.T) {
	p, rc := migrationPool(t, func(ev *migrateEvent) error {
		ev.UserAttributes = map[string]string{"email": "lee@example.com", "email_verified": "true"}
		ev.MessageAction = "SUPPRESS"
		return nil
	})
	for range 2 {
		rec := postPage(t, p, "/login", url.Values{"username": {"lee"}, "password": {""}})
		require.Equal(t, http.StatusOK, rec.Code)
		require.Contains(t, rec.Body.String(), "Incorrect username or password.")
	}
	require.Empty(t, rc.all())
	requireAPIError(t, p, "AdminGetUser", map[string]any{"UserPoolId": p.PoolID(), "Username": "lee"}, codeUserNotFound, "")
}

// A SELECT_CHALLENGE answer of PASSWORD with the password is a sign-in
// with a password as PREFERRED_CHALLENGE PASSWORD is ("Migrate user
// Lambda trigger": Cognito invokes it "when a user doesn't exist in the
// user pool at the time of sign-in with a password"): the user migrates
// and signs in, and the answer's ClientMetadata is the event's
// clientMetadata (AdminRespondToAuthChallenge's reference lists the user
// migration trigger among those its ClientMetadata reaches). A name the
// function refuses is answered as a wrong password; PASSWORD_SRP sends no
// password and migrates no one.
func TestUserMigrationOnSelectChallengePassword(t *testing.T) {
	p, rc := migrationPool(t, legacyDirectory)
	session := selectChallenge(t, p, "lee", "PASSWORD", "PASSWORD_SRP")
	in := answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "lee", "ANSWER": "PASSWORD", "PASSWORD": "old-pass"})
	in["ClientMetadata"] = map[string]string{"app": "shop"}
	status, out := call(t, p, "RespondToAuthChallenge", in)
	require.Equal(t, http.StatusOK, status, out)
	require.NotNil(t, out["AuthenticationResult"], out)
	ev := rc.last(t)
	require.Equal(t, sourceMigrateAuth, ev.TriggerSource)
	require.Equal(t, "old-pass", ev.Password)
	require.Equal(t, map[string]string{"app": "shop"}, ev.ClientMetadata)

	session = selectChallenge(t, p, "kim", "PASSWORD", "PASSWORD_SRP")
	requireAPIError(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "kim", "ANSWER": "PASSWORD", "PASSWORD": "wrong-pass"}),
		codeNotAuthorized, "Incorrect username or password.")
	require.Len(t, rc.all(), 2)

	session = selectChallenge(t, p, "max", "PASSWORD", "PASSWORD_SRP")
	c := newSRPTestClient(t, p.PoolID())
	status, out = call(t, p, "RespondToAuthChallenge", answer("SELECT_CHALLENGE", session, map[string]string{"USERNAME": "max", "ANSWER": "PASSWORD_SRP", "SRP_A": c.srpA()}))
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, "PASSWORD_VERIFIER", out["ChallengeName"])
	require.Len(t, rc.all(), 2, "PASSWORD_SRP sends no password")
}

// The trigger page lists response.enableSMSMFA: "Set this parameter to
// true to require that your migrated user complete SMS text message
// multi-factor authentication (MFA) to sign in. Your user pool must have
// MFA enabled. Your user's attributes in the request parameters must
// include a phone number, or else the migration of that user will
// fail." aws-lambda-go's response has no field for it, so only an
// HTTPFunction, whose JSON the pool reads, can answer it: the migrated
// user has SMS MFA on and the sign-in asks for a code. Without a
// phone_number, or in a pool that does not allow SMS MFA, the migration
// fails (the page names no exception: InvalidLambdaResponseException)
// and no user is created; a value that is not a boolean is an answer the
// pool cannot read.
func TestUserMigrationEnableSMSMFAOverHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		_ = json.NewDecoder(r.Body).Decode(&ev)
		attrs := map[string]string{"email": ev["userName"].(string) + "@example.com", "email_verified": "true"}
		var enable any = true
		switch ev["userName"] {
		case "sam", "sol":
			attrs["phone_number"] = "+15555550100"
		case "str":
			attrs["phone_number"] = "+15555550100"
			enable = "true"
		}
		ev["response"] = map[string]any{"userAttributes": attrs, "finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS", "enableSMSMFA": enable}
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer srv.Close()
	p := newPool(t, Config{UserMigration: NewHTTPFunction(srv.URL).UserMigration})

	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "sol", "old-pass"), codeInvalidLambdaResp, errMigrateSMSOff.Message)
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOptional, SMS: true}))
	status, out := passwordSignIn(t, p, "sam", "old-pass")
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, factorSMS, out["ChallengeName"], "the migrated user signs in with an SMS code")
	status, got := call(t, p, "AdminGetUser", pool(map[string]any{"Username": "sam"}))
	require.Equal(t, http.StatusOK, status, got)
	require.Equal(t, []any{factorSMS}, got["UserMFASettingList"])

	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "pat", "old-pass"), codeInvalidLambdaResp, errMigrateSMSNoPhone.Message)
	requireAPIError(t, p, "InitiateAuth", passwordAuth(DefaultClientID, "str", "old-pass"), codeInvalidLambdaResp, "Unrecognizable lambda output")
	for _, name := range []string{"sol", "pat", "str"} {
		requireAPIError(t, p, "AdminGetUser", pool(map[string]any{"Username": name}), codeUserNotFound, "")
	}
}

// A Go trigger cannot answer enableSMSMFA (aws-lambda-go's response has
// no field for it): its migrated user has no MFA turned on.
func TestUserMigrationGoTriggerTurnsOnNoMFA(t *testing.T) {
	p, _ := migrationPool(t, legacyDirectory)
	require.NoError(t, p.SetMFAConfig(MFAConfig{Mode: MFAOptional, SMS: true}))
	status, out := passwordSignIn(t, p, "lee", "old-pass")
	require.Equal(t, http.StatusOK, status, out)
	require.Contains(t, out, "AuthenticationResult")
}
