// Package cognitolocal is a local Amazon Cognito user pool, for tests and
// development with no AWS account. It issues access, ID and refresh
// tokens with the claim sets Cognito issues, and serves, on one loopback
// address, what Cognito spreads over several hosts:
//
//   - the issuer BaseURL/PoolID with /.well-known/jwks.json and
//     /.well-known/openid-configuration;
//   - the user-pool JSON API at POST BaseURL/ (X-Amz-Target
//     AWSCognitoIdentityProviderService.<Operation>), shaped as botocore's
//     cognito-idp model, so the AWS SDK for Go v2 works against it with
//     BaseEndpoint set to Endpoint(), any region and any static
//     credentials;
//   - Managed Login: /oauth2/authorize, /login, /oauth2/token,
//     /oauth2/userInfo, /oauth2/revoke and /logout.
//
// SECURITY: requests are not authenticated. SigV4 signatures are not
// checked, so whoever reaches the address can administer the pool and
// sign in as anyone; Start listens on loopback addresses only, and its
// server answers only requests whose Host header names a loopback
// address (RequireLoopbackHost), so that a web page whose DNS name was
// rebound to 127.0.0.1 gets 403; the issuers' JWKS and discovery
// documents are answered to any Host. The Pool and Service handlers
// themselves check the Host of the outbox only: a program serving them
// on a listener of its own wraps them in RequireLoopbackHost, or not.
//
// # Emulated
//
// Users (username, sub, attributes, enabled, password, confirmation
// status), groups, app clients (public or confidential, allowed flows,
// OAuth scopes, callback and sign-out URLs, token validities, readable
// attributes), custom attributes (declared, mutable or not), refresh-token
// families, the signing keys, and the pre sign-up, post confirmation,
// pre and post authentication and pre-token-generation triggers.
//
// Operations: InitiateAuth (USER_SRP_AUTH, USER_PASSWORD_AUTH, USER_AUTH,
// REFRESH_TOKEN_AUTH), RespondToAuthChallenge (PASSWORD_VERIFIER,
// NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SMS_OTP,
// SELECT_MFA_TYPE, MFA_SETUP, SELECT_CHALLENGE), SetUserPoolMfaConfig, GetUserPoolMfaConfig,
// AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
// AdminSetUserMFAPreference, GetUser,
// UpdateUserAttributes, DeleteUserAttributes, GlobalSignOut, RevokeToken,
// SignUp, AdminCreateUser, AdminSetUserPassword,
// AdminGetUser, AdminUpdateUserAttributes, AdminDeleteUserAttributes,
// AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
// AdminDisableUser, AdminEnableUser, AdminUserGlobalSignOut,
// AdminConfirmSignUp, CreateGroup, ListUsers (filters `name = "value"`
// and `name ^= "value"`), AddCustomAttributes, CreateUserPoolClient,
// DescribeUserPoolClient, SetUserSettings and AdminSetUserSettings (the
// legacy SMS MFAOptions, which GetUser and AdminGetUser answer), the
// pool's tags (TagResource, UntagResource, ListTagsForResource by ARN;
// UserPoolTags) and domains (CreateUserPoolDomain,
// DescribeUserPoolDomain, UpdateUserPoolDomain, DeleteUserPoolDomain: kept
// and answered back, a name to one pool; Managed Login stays at BaseURL
// whatever the domain), the classic hosted UI's branding
// (SetUICustomization, GetUICustomization: the documented CSS classes
// and a PNG or JPEG logo, applied to the pages), GetUserAuthFactors and AdminGetUserAuthFactors,
// GetSigningCertificate (a self-signed certificate of the
// token-signing key: there is no SAML), and the CSV user import
// (GetCSVHeader, CreateUserImportJob with a PreSignedUrl the service
// takes the file on, StartUserImportJob importing at once into
// RESET_REQUIRED users, StopUserImportJob, DescribeUserImportJob,
// ListUserImportJobs). docs/emulator.md lists every
// operation. Errors
// come as Cognito sends them: HTTP 400,
// x-amzn-ErrorType and {"__type", "message"}.
//
// Managed Login: the authorization-code flow with optional PKCE (S256
// only), state and nonce, registered redirect URIs only (errors go to the
// redirect URI once it is known to be registered); a plain HTML sign-in
// form (fields username and password) that shows Cognito's message on a
// failure, the same for an unknown user and a wrong password, and refuses
// cross-origin posts, with buttons (field factor) for a code by email or
// SMS instead of the password when the client allows USER_AUTH and the
// pool EMAIL_OTP or SMS_OTP, run as the API's EMAIL_OTP and SMS_OTP;
// single-use authorization codes that live five minutes; the token
// endpoint's authorization_code, refresh_token and client_credentials
// grants with client_secret_basic or client_secret_post and RFC 6749
// errors; userInfo for access tokens with scope openid (every readable
// attribute with openid alone, narrowed by the profile, email and phone
// scopes); revocation (200 for
// unknown tokens); and /logout to a registered sign-out URL or back to
// sign-in. There is no sign-in session: every authorization request shows
// the form. identity_provider and idp_identifier are accepted and
// ignored.
//
// # Pools
//
// One Service (Pool.Service) serves any number of pools on one address,
// each its own issuer BaseURL/PoolID with its own keys, JWKS and discovery
// document. The JSON API finds a request's pool by its UserPoolId, else
// its ClientId, else the issuer of its AccessToken; Managed Login by the
// client_id. CreateUserPool gives Cognito-shaped IDs (REGION_ and 9
// letters and digits, the region of the request's SigV4 signing scope,
// us-east-1 for unsigned requests); DescribeUserPool, ListUserPools,
// UpdateUserPool (omitted settings return to their defaults; alias and
// username attributes, the schema and case sensitivity are fixed) and
// DeleteUserPool (refused under DeletionProtection ACTIVE) answer as
// Cognito documents. The settings that change behaviour are honoured:
// UsernameAttributes (an email address or phone number is the sign-in
// name; the stored username is the sub), AliasAttributes (verified email
// and phone number, and preferred_username, sign in), case sensitivity
// (the API's default: sensitive; pools made by New are not), the password
// policy with its temporary-password validity, required and immutable
// standard attributes, custom String and Number attributes with their
// bounds, AllowAdminCreateUserOnly (it refuses SignUp, not
// ForgotPassword), MfaConfiguration (kept) and the Lambda ARNs of those
// triggers, which Service.SetLambda maps to a
// local Lambda (a Go trigger, or an HTTPFunction). Members the pool does
// not model are kept and answered back.
//
// Rules applied as a real pool applies them: the pool's password
// policy (Cognito's default unless set; no whitespace at either end of
// a password, inside it a space counts as a symbol); case-insensitive
// usernames in pools made by New; the same answer for an unknown user
// and a wrong password; custom attributes must be declared, carry the
// custom: prefix, and immutable ones are set only at creation; sub never
// changes; a changed email (or phone number) is unverified unless the
// same administrator update verifies it; users cannot write the verified
// flags themselves; user operations need an access token with scope
// aws.cognito.signin.user.admin; revoking a refresh token or a global
// sign-out ends the refresh-token family, and the user operations then
// answer "Access Token has been revoked" for its access tokens; disabling
// a user revokes its tokens too.
//
// Tokens: access tokens carry sub, iss, client_id, origin_jti, event_id,
// token_use, scope, auth_time, exp, iat, jti, username, version and
// cognito:groups, and no attributes unless the trigger adds them; ID
// tokens carry aud, cognito:username and the attributes the client may
// read. A refresh keeps origin_jti and auth_time. Refresh tokens are
// opaque random strings; the pool keeps only their digests.
//
// # SRP, MFA and choice-based sign-in
//
// USER_SRP_AUTH is SRP-6a as Cognito and its clients (Amplify,
// amazon-cognito-identity-js, the .NET extension, pycognito) run it:
// the 3072-bit group of RFC 5054, Cognito's padding, HKDF and signature
// message, the TIMESTAMP "EEE MMM d HH:mm:ss UTC yyyy" within five
// minutes of the pool's clock, SECRET_HASH for confidential clients,
// USER_ID_FOR_SRP the canonical username. Each SECRET_BLOCK takes one
// proof within the session lifetime; an SRP_A with A mod N = 0 is
// refused; an unknown username gets a challenge with a stable salt that
// no password answers, naming it as a user's would be (a UUID in pools
// with email or phone sign-in, else the name, lower-cased when case is
// ignored). The pool keeps an SRP verifier (salt and v) next
// to each password hash. A state saved before verifiers existed holds
// only one-way hashes, from which none can be derived: such a user gains
// a verifier at their next password sign-in (USER_PASSWORD_AUTH, /login,
// USER_AUTH with PASSWORD) or password change, and until then
// USER_SRP_AUTH answers NotAuthorizedException saying so.
//
// USER_AUTH (the client needs ALLOW_USER_AUTH) takes
// PREFERRED_CHALLENGE PASSWORD, PASSWORD_SRP, EMAIL_OTP or SMS_OTP (an
// eight-digit code to the outbox, by email or SMS, answered with
// EMAIL_OTP_CODE or SMS_OTP_CODE, when the pool's SignInPolicy or
// SetFirstAuthFactors allows it and the user has an email address or a
// phone number, which the right code verifies; the pool's SMS and email
// MFA messages, when set, carry these codes too, the email one under
// its subject, Message.Subject), or answers
// SELECT_CHALLENGE with the AvailableChallenges. A LEGACY client offers
// a user the factors they can use, and a user who must pass MFA (ON, or
// OPTIONAL with a factor on) PASSWORD and PASSWORD_SRP only; a
// passwordless preference or answer (EMAIL_OTP, SMS_OTP, WEB_AUTHN) is
// then refused with InvalidParameterException, as is a first-factor code
// answered after the user came to need MFA. An ENABLED client offers
// every name, user or not, every factor the pool allows: a factor a name
// cannot use answers with a made-up destination and no code that works,
// and a user who must pass MFA is refused only after the right code.
//
// MFA (SetUserPoolMfaConfig, SetMFAConfig): OFF, ON or OPTIONAL with
// TOTP (RFC 6238: SHA-1, six digits, 30 s, one step of drift, each code
// once), SMS and email codes (six digits, to the outbox). After the
// first factor (password, SRP, or a new password; admin sign-in too) the
// sign-in answers the challenge of the user's factor (SOFTWARE_TOKEN_MFA,
// SMS_MFA, EMAIL_OTP; the preferred one first), SELECT_MFA_TYPE when several factors are on and none preferred, and,
// when MFA is ON and the user has none, MFA_SETUP (MFAS_CAN_SETUP lists
// the pool's factors), answered after AssociateSoftwareToken and
// VerifySoftwareToken with its Session, or with EMAIL (an address, which
// gets a code: EMAIL_OTP follows and makes it the user's verified email
// and factor). With MFA ON a phone number or email address is a factor
// without a preference, so SMS is set up by adding one and signing in
// again.
// Challenge sessions live the client's AuthSessionValidity (three
// minutes by default), are answered once, and take three wrong codes.
//
// # Remembered devices
//
// A pool with a DeviceConfiguration hands every API sign-in that presents
// no DEVICE_KEY a new device key (NewDeviceMetadata, Region_UUID), which
// ConfirmDevice confirms with the device password's SRP verifier. A
// sign-in presenting a confirmed device's key ends with DEVICE_SRP_AUTH
// and DEVICE_PASSWORD_VERIFIER, the SRP of USER_SRP_AUTH over the device
// group key and device key; with ChallengeRequiredOnNewDevice a
// remembered device skips the MFA code. An unknown, foreign or forgotten
// key is ResourceNotFoundException "Device does not exist.", as is any key
// an unknown name presents through a client that hides users. ListDevices,
// GetDevice, UpdateDeviceStatus, ForgetDevice and their Admin forms
// manage them (DeviceLastAuthenticatedDate and last_ip_used are those of
// the confirmation or latest device proof); access tokens name their
// device in device_key. Forgetting
// a device ends the refresh tokens of the sign-ins made on it ("Invalid
// Refresh Token"); their access tokens run out as usual. A refresh token
// does not refresh with another device's DEVICE_KEY.
//
// # Pre-token-generation triggers
//
// Config.PreTokenGeneration is a Go function of the signature lambda.Start
// accepts for events.CognitoEventUserPoolsPreTokenGenV2_0, so one handler
// runs in Lambda and here; HTTPTrigger calls one served over HTTP. The
// event is built as Cognito builds it (version "1", "2" or "3" for
// TriggerVersion or LambdaVersion V1_0, V2_0, V3_0; trigger source
// TokenGeneration_Authentication, _RefreshTokens, _HostedAuth,
// _NewPasswordChallenge and, for V3_0 only, _ClientCredentials;
// userAttributes with sub and cognito:user_status; groupConfiguration;
// scopes; clientMetadata), and
// the response is applied with Cognito's rules: claims added or
// overridden, then suppressed; scopes added, then suppressed;
// groupsToOverride replacing cognito:groups. A response that touches an
// unmodifiable claim (acr, amr, aud, at_hash, auth_time, azp,
// cognito:username, exp, iat, identities, iss, jti, nbf, nonce,
// origin_jti, sub, token_use) or the scope claim fails the sign-in with
// InvalidLambdaResponseException; a trigger error fails it with
// UserLambdaValidationException "PreTokenGeneration failed with error
// …", and on the token endpoint with invalid_request. The trigger has
// Cognito's 5-second limit. A V1_0 trigger customises the ID token only:
// its event has no scopes, and only its ID-token claims (strings) and
// group override apply, to the ID token.
//
// # Pre sign-up triggers
//
// Config.PreSignUp (events.CognitoEventUserPoolsPreSignup) runs before
// SignUp, the sign-up page and AdminCreateUser create a user, with
// trigger source PreSignUp_SignUp or PreSignUp_AdminCreateUser, the
// attributes given, ValidationData and ClientMetadata. On SignUp its
// response may confirm the user (no code is then sent) and verify its
// email address or phone number; AdminCreateUser ignores the response, as
// Cognito does. A trigger error refuses the user with
// UserLambdaValidationException "PreSignUp failed with error …"; a
// response verifying an address the user lacks, or verifying without
// confirming, with InvalidLambdaResponseException.
//
// # Post confirmation triggers
//
// Config.PostConfirmation (events.CognitoEventUserPoolsPostConfirmation)
// runs once ConfirmSignUp or AdminConfirmSignUp has confirmed a user
// (PostConfirmation_ConfirmSignUp) and once ConfirmForgotPassword has set
// a new password (PostConfirmation_ConfirmForgotPassword), the confirmation
// pages included, with the user's attributes and ClientMetadata. A
// trigger error answers UserLambdaValidationException "PostConfirmation
// failed with error …"; the user stays confirmed, as in Cognito.
//
// # Authentication triggers
//
// Config.PreAuthentication runs when a sign-in that names a known user
// begins (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH,
// USER_AUTH, Managed Login's sign-in), before the credentials are
// checked, with the request's ClientMetadata as validationData; its
// error refuses the sign-in with UserLambdaValidationException
// "PreAuthentication failed with error …". Config.PostAuthentication runs
// once the user is authenticated, before tokens or Managed Login's code,
// with the challenge answer's ClientMetadata; its error fails the
// sign-in. Refreshes run neither. A name no user has runs pre
// authentication only through a client that prevents user existence
// errors, as in Cognito.
//
// Config.DefineAuthChallenge, CreateAuthChallenge and
// VerifyAuthChallengeResponse (or LambdaConfig's members of those names)
// drive InitiateAuth's and AdminInitiateAuth's CUSTOM_AUTH flow: the
// define trigger reads the challenges answered so far and issues tokens,
// fails the sign-in ("Incorrect username or password.") or asks for a
// CUSTOM_CHALLENGE, whose public parameters the create trigger gives the
// client and whose private ones stay in the pool for the verify trigger,
// which judges RespondToAuthChallenge's ANSWER. A pool without them
// answers InvalidParameterException "Custom auth lambda trigger is not
// configured for the user pool."; a sign-in stops after 20 challenges,
// a bound the developer guide does not state. A custom sign-in may
// verify the password first (CHALLENGE_NAME SRP_A, then the define
// trigger's PASSWORD_VERIFIER, answered as in USER_SRP_AUTH, then the
// user's MFA) before its custom challenges.
//
// # User migration trigger
//
// Config.UserMigration (events.CognitoEventUserPoolsMigrateUser) runs
// when USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, Managed Login's
// sign-in form or ForgotPassword names no user (UserMigration_Authentication with the password and the
// request's ClientMetadata as validationData; UserMigration_ForgotPassword
// with ForgotPassword's ClientMetadata). Its answer creates the user under
// the name typed, with the attributes answered, a new sub and, at
// sign-in, the password given: CONFIRMED, or RESET_REQUIRED as
// finalUserStatus says (always, for a forgotten password, whose reset
// code is then sent). The sign-in goes on as any other. A refusal
// answers as an unknown name does; SRP and passwordless sign-in never
// migrate, as the developer guide says. The response's enableSMSMFA
// turns SMS MFA on for the user; aws-lambda-go's event has no field for
// it, so only an HTTPFunction can answer it.
//
// The custom message trigger (Config.CustomMessage or
// LambdaConfig.CustomMessage, custommessage.go) rewrites the messages of
// SignUp, ResendConfirmationCode, ForgotPassword and
// AdminResetUserPassword, AdminCreateUser, attribute updates,
// GetUserAttributeVerificationCode and sign-in codes (MFA, EMAIL_OTP,
// SMS_OTP) before they go to the outbox: the
// pool puts the code (and an invitation's username) in the answered
// message's {####} (and {username}). A message without them, or past
// 20,000 characters for an email or 140 for an SMS, answers
// InvalidLambdaResponseException; an empty one keeps the pool's.
//
// Every trigger runs without the pool's lock, so it may call the pool's
// API. A Go trigger's context ends at the 5-second limit; one still
// running then, its context ignored, fails the operation with
// UnexpectedLambdaException all the same and is left to return on its
// own, its answer unread.
//
// # Not emulated
//
// The other Lambda triggers (the custom senders: their LambdaConfig ARNs
// are kept, never invoked), devices in Managed Login, real email and SMS
// delivery (messages go to the outbox), federation and identity
// providers, hosted UI styling and sign-in sessions, user deletion, resource servers
// (a scope with a slash counts as a resource-server scope), refresh-token
// rotation, rate limits, and the pool's other configuration operations.
//
// # Go administration
//
// CreateUser, SetUserAttributes, SetUserPassword, CreateGroup,
// AddUserToGroup, RemoveUserFromGroup, DisableUser, EnableUser,
// GlobalSignOut, AddCustomAttribute, CreateAppClient and SignIn act on the
// same state with the same rules as the JSON API. One shortcut: CreateUser
// and SetUserAttributes declare unknown custom attributes as mutable
// strings, where AdminCreateUser refuses them. SignIn needs no secret
// hash, even for a confidential client.
//
// AddSigningKey and RemoveSigningKey rotate the signing keys;
// PublishSigningKey and UseSigningKey rotate in two steps, the next key
// published before it signs. MintTokens issues tokens for any username
// without a user or a password (quick tokens for tests and a development
// server), with the same claim sets; attributes go into ID tokens only,
// and into access tokens only as claims a trigger would add. SaveState
// and LoadState keep the pool's state across restarts (Service.SaveState
// and LoadState keep every pool's); Service.SetSave saves each change
// before its answer is sent, and Config.OnChange tells a server when an
// HTTP request has changed it.
//
// The test kit, cognitotest, is this pool with a testing.TB face: its
// Issuer serves a Pool and mints tokens through MintClaims, with
// SigningKey as its key type, and adds only what tests alone want
// (hostile tokens, faults in the JWKS endpoint); this package does not
// import testing.
//
// Verifier returns a cognitojwt.Verifier that trusts the pool and reads
// its keys in process, whether or not the pool is served.
package cognitolocal
