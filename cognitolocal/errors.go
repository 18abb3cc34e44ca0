package cognitolocal

// Error is a failure as Cognito reports it. Code is the exception name the
// JSON API sends as __type and x-amzn-ErrorType (NotAuthorizedException,
// UserNotFoundException, …), which the AWS SDK turns into its typed
// errors; Message is Cognito's text. Messages never contain passwords,
// tokens or attribute values.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "cognitolocal: " + e.Code + ": " + e.Message }

func apiErr(code, message string) *Error { return &Error{Code: code, Message: message} }

// Exception names, as in botocore's cognito-idp model.
const (
	codeNotAuthorized      = "NotAuthorizedException"
	codeUserNotFound       = "UserNotFoundException"
	codeUsernameExists     = "UsernameExistsException"
	codeInvalidParameter   = "InvalidParameterException"
	codeInvalidPassword    = "InvalidPasswordException"
	codeResourceNotFound   = "ResourceNotFoundException"
	codeUserNotConfirmed   = "UserNotConfirmedException"
	codeGroupExists        = "GroupExistsException"
	codeUnsupportedOp      = "UnsupportedOperationException"
	codeUnexpectedLambda   = "UnexpectedLambdaException"
	codeInvalidLambdaResp  = "InvalidLambdaResponseException"
	codeUserLambdaValidate = "UserLambdaValidationException"
)

var (
	errBadCredentials  = apiErr(codeNotAuthorized, "Incorrect username or password.")
	errUserDisabled    = apiErr(codeNotAuthorized, "User is disabled.")
	errUserNotFound    = apiErr(codeUserNotFound, "User does not exist.")
	errNotConfirmed    = apiErr(codeUserNotConfirmed, "User is not confirmed.")
	errTokenRevoked    = apiErr(codeNotAuthorized, "Access Token has been revoked")
	errTokenExpired    = apiErr(codeNotAuthorized, "Access Token has expired")
	errTokenInvalid    = apiErr(codeNotAuthorized, "Invalid Access Token")
	errTokenScope      = apiErr(codeNotAuthorized, "Access Token does not have required scopes")
	errRefreshInvalid  = apiErr(codeNotAuthorized, "Invalid Refresh Token")
	errRefreshRevoked  = apiErr(codeNotAuthorized, "Refresh Token has been revoked")
	errRefreshExpired  = apiErr(codeNotAuthorized, "Refresh Token has expired")
	errClientNotFound  = apiErr(codeResourceNotFound, "User pool client does not exist.")
	errPoolNotFound    = apiErr(codeResourceNotFound, "User pool does not exist.")
	errGroupNotFound   = apiErr(codeResourceNotFound, "Group not found.")
	errUserExists      = apiErr(codeUsernameExists, "User account already exists")
	errSecretMissing   = apiErr(codeNotAuthorized, "Client is configured for secret but secret was not received")
	errSecretMismatch  = apiErr(codeNotAuthorized, "Unable to verify secret hash for client")
	errUnknownAttr     = apiErr(codeInvalidParameter, "Attribute does not exist in the schema.")
	errImmutableAttr   = apiErr(codeInvalidParameter, "Cannot modify an immutable attribute.")
	errSubImmutable    = apiErr(codeInvalidParameter, "Cannot modify the non-mutable attribute sub")
	errUnwritableAttr  = apiErr(codeNotAuthorized, "A client attempted to write unauthorized attribute")
	errUsernameMissing = apiErr(codeInvalidParameter, "Username must not be empty.")
	// errPasswordChange stops a sign-in with a temporary password: the JSON
	// API answers the NEW_PASSWORD_REQUIRED challenge instead.
	errPasswordChange     = apiErr(codeNotAuthorized, "Password change required: answer NEW_PASSWORD_REQUIRED or set a permanent password with AdminSetUserPassword.")
	errSignUpNotPermitted = apiErr(codeNotAuthorized, "SignUp is not permitted for this user pool")
	errTemporaryExpired   = apiErr(codeNotAuthorized, "Temporary password has expired and must be reset by an administrator.")
	errSessionInvalid     = apiErr(codeNotAuthorized, "Invalid session for the user, session is expired.")
)
