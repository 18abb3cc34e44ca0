package cognitolocal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cognitojwt/cognitojwt"
)

// targetPrefix starts the X-Amz-Target of every user-pool operation.
const targetPrefix = "AWSCognitoIdentityProviderService."

// maxAPIBody bounds a JSON API request body.
const maxAPIBody = 1 << 20

// apiOp runs one operation on a JSON request body.
type apiOp func(p *Pool, ctx context.Context, body []byte) (any, error)

// op adapts a typed operation: the body decodes into In (unknown members
// ignored, as the SDKs send members this pool does not model) and the
// result encodes as the answer.
func op[In, Out any](f func(*Pool, context.Context, *In) (*Out, error)) apiOp {
	return func(p *Pool, ctx context.Context, body []byte) (any, error) {
		var in In
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, apiErr("SerializationException", "The request body is not valid JSON for this operation.")
		}
		return f(p, ctx, &in)
	}
}

// apiOps are the operations the pool answers, named as in X-Amz-Target.
var apiOps = map[string]apiOp{
	"InitiateAuth":              op((*Pool).initiateAuth),
	"GetUser":                   op((*Pool).getUser),
	"UpdateUserAttributes":      op((*Pool).updateUserAttributes),
	"DeleteUserAttributes":      op((*Pool).deleteUserAttributes),
	"GlobalSignOut":             op((*Pool).globalSignOut),
	"RevokeToken":               op((*Pool).revokeToken),
	"SignUp":                    op((*Pool).signUp),
	"AdminCreateUser":           op((*Pool).adminCreateUser),
	"AdminSetUserPassword":      op((*Pool).adminSetUserPassword),
	"AdminGetUser":              op((*Pool).adminGetUser),
	"AdminUpdateUserAttributes": op((*Pool).adminUpdateUserAttributes),
	"AdminDeleteUserAttributes": op((*Pool).adminDeleteUserAttributes),
	"AdminAddUserToGroup":       userGroupOp((*Pool).AddUserToGroup),
	"AdminRemoveUserFromGroup":  userGroupOp((*Pool).RemoveUserFromGroup),
	"AdminListGroupsForUser":    op((*Pool).adminListGroupsForUser),
	"AdminDisableUser":          userOp((*Pool).DisableUser),
	"AdminEnableUser":           userOp((*Pool).EnableUser),
	"AdminUserGlobalSignOut":    userOp((*Pool).GlobalSignOut),
	"AdminConfirmSignUp":        op((*Pool).adminConfirmSignUp),
	"CreateGroup":               op((*Pool).createGroupOp),
	"ListUsers":                 op((*Pool).listUsers),
	"AddCustomAttributes":       op((*Pool).addCustomAttributes),
	"CreateUserPoolClient":      op((*Pool).createUserPoolClient),
	"DescribeUserPoolClient":    op((*Pool).describeUserPoolClient),
}

// serveAPI answers the JSON API. Requests are not SigV4-checked: any
// credentials work, which is what a local pool wants and a real one never
// does.
func (p *Pool) serveAPI(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	f := apiOps[name]
	if !ok || f == nil {
		writeAPIError(w, apiErr("UnknownOperationException", "The operation is not supported by this user pool."))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err != nil {
		writeAPIError(w, apiErr("SerializationException", "The request body is too large or unreadable."))
		return
	}
	// The SDKs report this header as the RequestID of every answer.
	w.Header().Set("x-amzn-RequestId", newUUID())
	out, err := f(p, r.Context(), body)
	if p.logger != nil {
		p.logger.LogAttrs(r.Context(), levelFor(err), "cognitolocal: api", slogOp(name), slogErr(err))
	}
	if err != nil {
		writeAPIError(w, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeAPIError(w, apiErr("InternalErrorException", "The answer could not be encoded."))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_, _ = w.Write(b)
}

// writeAPIError answers as Cognito does: 400 (500 for internal errors),
// x-amzn-ErrorType and a JSON body with __type and message, which the AWS
// SDKs map to their typed errors.
func writeAPIError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = apiErr("InternalErrorException", "Internal error.")
	}
	status := http.StatusBadRequest
	if e.Code == "InternalErrorException" {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-ErrorType", e.Code)
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	_, _ = w.Write(b)
}

// attribute is AttributeType.
type attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

func attributeMap(in []attribute) map[string]string {
	m := make(map[string]string, len(in))
	for _, a := range in {
		m[a.Name] = a.Value
	}
	return m
}

func attributeList(m map[string]string) []attribute {
	out := make([]attribute, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		out = append(out, attribute{Name: name, Value: m[name]})
	}
	return out
}

// epoch is a timestamp as awsJson1_1 sends it: seconds since the epoch.
type epoch float64

func epochOf(t time.Time) epoch { return epoch(float64(t.UnixMilli()) / 1000) }

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

// groupType is GroupType.
type groupType struct {
	GroupName        string `json:"GroupName"`
	UserPoolID       string `json:"UserPoolId"`
	Description      string `json:"Description,omitempty"`
	RoleArn          string `json:"RoleArn,omitempty"`
	Precedence       *int64 `json:"Precedence,omitempty"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
}

func (p *Pool) groupType(g group) groupType {
	return groupType{
		GroupName: g.Name, UserPoolID: p.poolID, Description: g.Description, RoleArn: g.RoleArn,
		Precedence: g.Precedence, LastModifiedDate: epochOf(g.LastModified), CreationDate: epochOf(g.Created),
	}
}

type empty struct{}

// poolUser names a user of a pool, the input of most Admin operations.
type poolUser struct {
	UserPoolID string `json:"UserPoolId"`
	Username   string `json:"Username"`
}

func (p *Pool) checkPool(id string) error {
	if id != p.poolID {
		return errPoolNotFound
	}
	return nil
}

// withUser runs f on the named user under the lock.
func (p *Pool) withUser(in poolUser, f func(*user) error) error {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.userLocked(in.Username)
	if err != nil {
		return err
	}
	return f(u)
}

// ---- Authentication ----

type initiateAuthInput struct {
	AuthFlow       string            `json:"AuthFlow"`
	AuthParameters map[string]string `json:"AuthParameters"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
	ClientID       string            `json:"ClientId"`
}

type authenticationResult struct {
	AccessToken  string `json:"AccessToken"`
	ExpiresIn    int    `json:"ExpiresIn"`
	TokenType    string `json:"TokenType"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	IDToken      string `json:"IdToken,omitempty"`
}

type initiateAuthOutput struct {
	AuthenticationResult *authenticationResult `json:"AuthenticationResult,omitempty"`
	ChallengeParameters  map[string]string     `json:"ChallengeParameters"`
}

func (p *Pool) initiateAuth(ctx context.Context, in *initiateAuthInput) (*initiateAuthOutput, error) {
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	params := in.AuthParameters
	var t Tokens
	var err error
	switch in.AuthFlow {
	case "USER_PASSWORD_AUTH":
		if params["USERNAME"] == "" || params["PASSWORD"] == "" {
			return nil, apiErr(codeInvalidParameter, "Missing required parameter USERNAME or PASSWORD")
		}
		if err := c.checkSecretHash(params["USERNAME"], params["SECRET_HASH"]); err != nil {
			return nil, err
		}
		c, snap, err := p.checkPasswordSignIn(in.ClientID, params["USERNAME"], params["PASSWORD"])
		if err != nil {
			return nil, err
		}
		t, err = p.signIn(ctx, c, snap, []string{scopeAdmin}, sourceAuthentication, in.ClientMetadata)
		if err != nil {
			return nil, err
		}
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		if !c.allowsFlow("ALLOW_REFRESH_TOKEN_AUTH") {
			return nil, apiErr(codeInvalidParameter, "REFRESH_TOKEN_AUTH flow not enabled for this client")
		}
		if params["REFRESH_TOKEN"] == "" {
			return nil, apiErr(codeInvalidParameter, "Missing required parameter REFRESH_TOKEN")
		}
		if c.ClientSecret != "" && !p.refreshSecretHashOK(c, params["REFRESH_TOKEN"], params["SECRET_HASH"]) {
			return nil, errSecretMismatch
		}
		if t, err = p.refreshTokens(ctx, in.ClientID, params["REFRESH_TOKEN"], in.ClientMetadata); err != nil {
			return nil, err
		}
	case "":
		return nil, apiErr(codeInvalidParameter, "Missing required parameter AuthFlow")
	default:
		return nil, apiErr(codeInvalidParameter, "This user pool supports only USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH.")
	}
	return &initiateAuthOutput{
		AuthenticationResult: &authenticationResult{
			AccessToken: t.AccessToken, ExpiresIn: t.ExpiresIn, TokenType: "Bearer",
			RefreshToken: t.RefreshToken, IDToken: t.IDToken,
		},
		ChallengeParameters: map[string]string{},
	}, nil
}

// refreshSecretHashOK checks a refresh's SECRET_HASH, which clients
// compute with the username or, after an alias sign-in, the sub.
func (p *Pool) refreshSecretHashOK(c AppClient, refreshToken, hash string) bool {
	p.mu.Lock()
	f := p.families[p.refresh[digest(refreshToken)]]
	var names []string
	if f != nil {
		names = append(names, f.Username)
		if u := p.users[fold(f.Username)]; u != nil {
			names = append(names, u.sub())
		}
	}
	p.mu.Unlock()
	if f == nil {
		return true // refreshTokens answers for an unknown token
	}
	for _, n := range names {
		if c.checkSecretHash(n, hash) == nil {
			return true
		}
	}
	return false
}

// tokenUser checks an access token presented to a user operation and
// returns its user's name: a genuine, unexpired access token of this pool
// that is honoured, with scope aws.cognito.signin.user.admin.
func (p *Pool) tokenUser(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", apiErr(codeInvalidParameter, "Missing required parameter AccessToken")
	}
	claims, err := p.verifier.Verify(ctx, token)
	if err != nil {
		if errors.Is(err, cognitojwt.ErrExpired) {
			return "", errTokenExpired
		}
		return "", errTokenInvalid
	}
	name, err := p.honoured(claims)
	if err != nil {
		return "", err
	}
	if !claims.HasScope(scopeAdmin) {
		return "", errTokenScope
	}
	return name, nil
}

// honoured checks a verified access token against the pool's state: a
// user's token (not client credentials), of a family not revoked, of an
// existing, enabled user. It returns the username.
func (p *Pool) honoured(claims *cognitojwt.Claims) (string, error) {
	if claims.Username == "" || claims.OriginJTI == "" {
		return "", errTokenInvalid
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.families[claims.OriginJTI]; f == nil || f.Revoked {
		// A family unknown to the pool was never issued here (or by a pool
		// whose state was not kept): either way the token is not honoured.
		return "", errTokenRevoked
	}
	u, ok := p.users[fold(claims.Username)]
	if !ok || u.sub() != claims.Subject {
		return "", errUserNotFound
	}
	if !u.Enabled {
		return "", errUserDisabled
	}
	return u.Username, nil
}

type accessTokenInput struct {
	AccessToken string `json:"AccessToken"`
}

type getUserOutput struct {
	Username       string      `json:"Username"`
	UserAttributes []attribute `json:"UserAttributes"`
}

func (p *Pool) getUser(ctx context.Context, in *accessTokenInput) (*getUserOutput, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.userLocked(name)
	if err != nil {
		return nil, err
	}
	return &getUserOutput{Username: u.Username, UserAttributes: attributeList(u.Attributes)}, nil
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

func (p *Pool) updateUserAttributes(ctx context.Context, in *updateUserAttributesInput) (*empty, error) {
	attrs := attributeMap(in.UserAttributes)
	return &empty{}, p.selfService(ctx, in.AccessToken, slices.Collect(maps.Keys(attrs)), func(u *user) error {
		return p.setAttributesLocked(u, attrs)
	})
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
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.userLocked(name)
	if err != nil {
		return err
	}
	return f(u)
}

// deleteAttributesLocked removes attributes; sub and immutable custom
// attributes stay, as Cognito refuses to delete them.
func (p *Pool) deleteAttributesLocked(u *user, names []string) error {
	probe := make(map[string]string, len(names))
	for _, n := range names {
		probe[n] = ""
	}
	if err := p.checkAttributesLocked(probe, u); err != nil {
		return err
	}
	for _, n := range names {
		delete(u.Attributes, n)
	}
	u.LastModified = p.now()
	return nil
}

func (p *Pool) globalSignOut(ctx context.Context, in *accessTokenInput) (*empty, error) {
	name, err := p.tokenUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &empty{}, p.GlobalSignOut(name)
}

type revokeTokenInput struct {
	Token        string `json:"Token"`
	ClientID     string `json:"ClientId"`
	ClientSecret string `json:"ClientSecret"`
}

func (p *Pool) revokeToken(_ context.Context, in *revokeTokenInput) (*empty, error) {
	if in.Token == "" || in.ClientID == "" {
		return nil, apiErr(codeInvalidParameter, "Missing required parameter Token or ClientId")
	}
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	if !c.checkSecret(in.ClientSecret) {
		return nil, apiErr("UnauthorizedException", "Client secret is missing or wrong.")
	}
	return &empty{}, p.revokeRefreshToken(in.ClientID, in.Token)
}

type signUpInput struct {
	ClientID       string      `json:"ClientId"`
	SecretHash     string      `json:"SecretHash"`
	Username       string      `json:"Username"`
	Password       string      `json:"Password"`
	UserAttributes []attribute `json:"UserAttributes"`
}

type signUpOutput struct {
	UserConfirmed bool   `json:"UserConfirmed"`
	UserSub       string `json:"UserSub"`
}

// signUp creates an unconfirmed user; no code is sent (AdminConfirmSignUp
// confirms it).
func (p *Pool) signUp(_ context.Context, in *signUpInput) (*signUpOutput, error) {
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	if err := c.checkSecretHash(in.Username, in.SecretHash); err != nil {
		return nil, err
	}
	if err := checkPassword(in.Password); err != nil {
		return nil, err
	}
	attrs := attributeMap(in.UserAttributes)
	for n := range attrs {
		if !clientWritable(n) {
			return nil, errUnwritableAttr
		}
	}
	h := hashPassword(in.Password)
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.createUserLocked(in.Username, attrs)
	if err != nil {
		return nil, err
	}
	u.Password = h
	u.Status = statusUnconfirmed
	return &signUpOutput{UserConfirmed: false, UserSub: u.sub()}, nil
}

// ---- Administration ----

type adminCreateUserInput struct {
	UserPoolID        string      `json:"UserPoolId"`
	Username          string      `json:"Username"`
	UserAttributes    []attribute `json:"UserAttributes"`
	TemporaryPassword string      `json:"TemporaryPassword"`
	MessageAction     string      `json:"MessageAction"`
}

type userOutput struct {
	User userType `json:"User"`
}

func (p *Pool) adminCreateUser(_ context.Context, in *adminCreateUserInput) (*userOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	pw := in.TemporaryPassword
	if pw == "" {
		pw = "Tmp-" + randomToken(12) + "a1A!"
	}
	if err := checkPassword(pw); err != nil {
		return nil, err
	}
	h := hashPassword(pw)
	p.mu.Lock()
	defer p.mu.Unlock()
	if in.MessageAction == "RESEND" {
		u, err := p.userLocked(in.Username)
		if err != nil {
			return nil, err
		}
		return &userOutput{User: u.userType()}, nil
	}
	u, err := p.createUserLocked(in.Username, attributeMap(in.UserAttributes))
	if err != nil {
		return nil, err
	}
	u.Password = h
	u.Status = statusForceChangePwd
	return &userOutput{User: u.userType()}, nil
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
}

func (p *Pool) adminGetUser(_ context.Context, in *poolUser) (*adminGetUserOutput, error) {
	var out adminGetUserOutput
	err := p.withUser(*in, func(u *user) error {
		t := u.userType()
		out.userFields, out.UserAttributes = t.userFields, t.Attributes
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
}

func (p *Pool) adminUpdateUserAttributes(_ context.Context, in *adminUpdateUserAttributesInput) (*empty, error) {
	return &empty{}, p.withUser(in.poolUser, func(u *user) error {
		return p.setAttributesLocked(u, attributeMap(in.UserAttributes))
	})
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

type userGroupInput struct {
	poolUser
	GroupName string `json:"GroupName"`
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

// userGroupOp is an Admin operation that is a Go administration method of
// a username and a group.
func userGroupOp(f func(p *Pool, username, group string) error) apiOp {
	return op(func(p *Pool, _ context.Context, in *userGroupInput) (*empty, error) {
		if err := p.checkPool(in.UserPoolID); err != nil {
			return nil, err
		}
		return &empty{}, f(p, in.Username, in.GroupName)
	})
}

type groupsOutput struct {
	Groups []groupType `json:"Groups"`
}

func (p *Pool) adminListGroupsForUser(_ context.Context, in *poolUser) (*groupsOutput, error) {
	out := &groupsOutput{Groups: []groupType{}}
	return out, p.withUser(*in, func(u *user) error {
		for _, name := range u.Groups {
			if g := p.groups[name]; g != nil {
				out.Groups = append(out.Groups, p.groupType(*g))
			}
		}
		return nil
	})
}

func (p *Pool) adminConfirmSignUp(_ context.Context, in *poolUser) (*empty, error) {
	return &empty{}, p.withUser(*in, func(u *user) error {
		if u.Status != statusUnconfirmed {
			return apiErr(codeNotAuthorized, "User cannot be confirmed. Current status is "+u.Status)
		}
		u.Status = statusConfirmed
		u.LastModified = p.now()
		return nil
	})
}

type createGroupInput struct {
	GroupName   string `json:"GroupName"`
	UserPoolID  string `json:"UserPoolId"`
	Description string `json:"Description"`
	RoleArn     string `json:"RoleArn"`
	Precedence  *int64 `json:"Precedence"`
}

type groupOutput struct {
	Group groupType `json:"Group"`
}

func (p *Pool) createGroupOp(_ context.Context, in *createGroupInput) (*groupOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	g, err := p.createGroup(group{Name: in.GroupName, Description: in.Description, RoleArn: in.RoleArn, Precedence: in.Precedence})
	if err != nil {
		return nil, err
	}
	return &groupOutput{Group: p.groupType(g)}, nil
}

type listUsersInput struct {
	UserPoolID      string   `json:"UserPoolId"`
	AttributesToGet []string `json:"AttributesToGet"`
	Limit           int      `json:"Limit"`
	PaginationToken string   `json:"PaginationToken"`
	Filter          string   `json:"Filter"`
}

type listUsersOutput struct {
	Users           []userType `json:"Users"`
	PaginationToken string     `json:"PaginationToken,omitempty"`
}

// listUsers lists users sorted by username, filtered and paged as Cognito
// does (at most 60 a page; the pagination token is an offset here).
func (p *Pool) listUsers(_ context.Context, in *listUsersInput) (*listUsersOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	match, err := parseFilter(in.Filter)
	if err != nil {
		return nil, err
	}
	limit := in.Limit
	if limit == 0 {
		limit = 60
	}
	if limit < 0 || limit > 60 {
		return nil, apiErr(codeInvalidParameter, "Limit must be between 1 and 60.")
	}
	start := 0
	if in.PaginationToken != "" {
		if start, err = strconv.Atoi(in.PaginationToken); err != nil || start < 0 {
			return nil, apiErr(codeInvalidParameter, "Invalid pagination token.")
		}
	}
	p.mu.Lock()
	var all []userType
	for _, u := range p.users {
		if match(u) {
			all = append(all, u.userType())
		}
	}
	p.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].Username < all[j].Username })
	out := &listUsersOutput{Users: []userType{}}
	if start < len(all) {
		end := min(start+limit, len(all))
		out.Users = all[start:end]
		if end < len(all) {
			out.PaginationToken = strconv.Itoa(end)
		}
	}
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

type schemaAttribute struct {
	Name                       string `json:"Name"`
	AttributeDataType          string `json:"AttributeDataType"`
	Mutable                    *bool  `json:"Mutable"`
	StringAttributeConstraints *struct {
		MinLength string `json:"MinLength"`
		MaxLength string `json:"MaxLength"`
	} `json:"StringAttributeConstraints"`
}

type addCustomAttributesInput struct {
	UserPoolID       string            `json:"UserPoolId"`
	CustomAttributes []schemaAttribute `json:"CustomAttributes"`
}

// addCustomAttributes declares custom attributes. Names are given without
// the custom: prefix, as in Cognito; Mutable defaults to true.
func (p *Pool) addCustomAttributes(_ context.Context, in *addCustomAttributesInput) (*empty, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	if len(in.CustomAttributes) == 0 {
		return nil, apiErr(codeInvalidParameter, "CustomAttributes must not be empty.")
	}
	var attrs []*customAttribute
	for _, s := range in.CustomAttributes {
		name := strings.TrimPrefix(s.Name, "custom:")
		if name == "" || len(name) > 20 {
			return nil, apiErr(codeInvalidParameter, "Custom attribute names must be 1 to 20 characters.")
		}
		a := &customAttribute{Name: "custom:" + name, DataType: s.AttributeDataType, Mutable: s.Mutable == nil || *s.Mutable}
		if a.DataType == "" {
			a.DataType = "String"
		}
		if !slices.Contains([]string{"String", "Number", "DateTime", "Boolean"}, a.DataType) {
			return nil, apiErr(codeInvalidParameter, "Invalid AttributeDataType.")
		}
		if c := s.StringAttributeConstraints; c != nil {
			a.MinLen, _ = strconv.Atoi(c.MinLength)
			a.MaxLen, _ = strconv.Atoi(c.MaxLength)
		}
		attrs = append(attrs, a)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range attrs {
		if p.schema[a.Name] != nil {
			return nil, apiErr(codeInvalidParameter, "Existing attribute already has name "+a.Name+".")
		}
	}
	for _, a := range attrs {
		p.schema[a.Name] = a
	}
	return &empty{}, nil
}

// AddCustomAttribute declares custom attribute name (with or without the
// custom: prefix) as a String; an immutable one can be set only when a
// user is created.
func (p *Pool) AddCustomAttribute(name string, mutable bool) error {
	_, err := p.addCustomAttributes(context.Background(), &addCustomAttributesInput{
		UserPoolID:       p.poolID,
		CustomAttributes: []schemaAttribute{{Name: name, AttributeDataType: "String", Mutable: &mutable}},
	})
	return err
}

// tokenValidityUnits is TokenValidityUnitsType.
type tokenValidityUnits struct {
	AccessToken  string `json:"AccessToken,omitempty"`
	IDToken      string `json:"IdToken,omitempty"`
	RefreshToken string `json:"RefreshToken,omitempty"`
}

// clientSettings are the members UserPoolClientType shares with
// CreateUserPoolClient's input.
type clientSettings struct {
	ClientName                      string              `json:"ClientName"`
	RefreshTokenValidity            int64               `json:"RefreshTokenValidity"`
	AccessTokenValidity             int64               `json:"AccessTokenValidity"`
	IDTokenValidity                 int64               `json:"IdTokenValidity"`
	TokenValidityUnits              *tokenValidityUnits `json:"TokenValidityUnits,omitempty"`
	ReadAttributes                  []string            `json:"ReadAttributes,omitempty"`
	ExplicitAuthFlows               []string            `json:"ExplicitAuthFlows,omitempty"`
	CallbackURLs                    []string            `json:"CallbackURLs,omitempty"`
	LogoutURLs                      []string            `json:"LogoutURLs,omitempty"`
	AllowedOAuthFlows               []string            `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthScopes              []string            `json:"AllowedOAuthScopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient bool                `json:"AllowedOAuthFlowsUserPoolClient"`
}

// userPoolClient is UserPoolClientType, the members this pool models.
type userPoolClient struct {
	UserPoolID       string `json:"UserPoolId"`
	ClientID         string `json:"ClientId"`
	ClientSecret     string `json:"ClientSecret,omitempty"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
	CreationDate     epoch  `json:"CreationDate"`
	clientSettings
	EnableTokenRevocation      bool   `json:"EnableTokenRevocation"`
	PreventUserExistenceErrors string `json:"PreventUserExistenceErrors"`
}

type createUserPoolClientInput struct {
	UserPoolID     string `json:"UserPoolId"`
	GenerateSecret bool   `json:"GenerateSecret"`
	clientSettings
}

type userPoolClientOutput struct {
	UserPoolClient userPoolClient `json:"UserPoolClient"`
}

// validityUnit converts a validity in the given unit (default: days for
// refresh tokens, hours for the others, as Cognito defaults them).
func validityUnit(n int64, unit, def string) (time.Duration, error) {
	if unit == "" {
		unit = def
	}
	per := map[string]time.Duration{"seconds": time.Second, "minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour}[unit]
	if per == 0 {
		return 0, apiErr(codeInvalidParameter, "Invalid TokenValidityUnits.")
	}
	if n < 0 {
		return 0, apiErr(codeInvalidParameter, "Token validity must be positive.")
	}
	return time.Duration(n) * per, nil
}

func (p *Pool) createUserPoolClient(_ context.Context, in *createUserPoolClientInput) (*userPoolClientOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	if in.ClientName == "" {
		return nil, apiErr(codeInvalidParameter, "ClientName must not be empty.")
	}
	if len(in.AllowedOAuthFlows) > 0 && !in.AllowedOAuthFlowsUserPoolClient {
		return nil, apiErr(codeInvalidParameter, "AllowedOAuthFlowsUserPoolClient must be true to use OAuth flows.")
	}
	units := in.TokenValidityUnits
	if units == nil {
		units = &tokenValidityUnits{}
	}
	c := AppClient{
		ClientName: in.ClientName, GenerateSecret: in.GenerateSecret,
		ExplicitAuthFlows: in.ExplicitAuthFlows, AllowedOAuthFlows: in.AllowedOAuthFlows,
		AllowedOAuthScopes: in.AllowedOAuthScopes, CallbackURLs: in.CallbackURLs, LogoutURLs: in.LogoutURLs,
		ReadAttributes: in.ReadAttributes,
	}
	var err error
	if c.AccessTokenValidity, err = validityUnit(in.AccessTokenValidity, units.AccessToken, "hours"); err != nil {
		return nil, err
	}
	if c.IDTokenValidity, err = validityUnit(in.IDTokenValidity, units.IDToken, "hours"); err != nil {
		return nil, err
	}
	if c.RefreshTokenValidity, err = validityUnit(in.RefreshTokenValidity, units.RefreshToken, "days"); err != nil {
		return nil, err
	}
	created, err := p.CreateAppClient(c)
	if err != nil {
		return nil, err
	}
	return &userPoolClientOutput{UserPoolClient: p.clientType(created)}, nil
}

// clientType describes c in the units Cognito reports by default.
func (p *Pool) clientType(c AppClient) userPoolClient {
	return userPoolClient{
		UserPoolID: p.poolID, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		LastModifiedDate: epochOf(c.modified), CreationDate: epochOf(c.created),
		clientSettings: clientSettings{
			ClientName:                      c.ClientName,
			AccessTokenValidity:             int64(c.AccessTokenValidity / time.Minute),
			IDTokenValidity:                 int64(c.IDTokenValidity / time.Minute),
			RefreshTokenValidity:            int64(c.RefreshTokenValidity / time.Minute),
			TokenValidityUnits:              &tokenValidityUnits{AccessToken: "minutes", IDToken: "minutes", RefreshToken: "minutes"},
			ReadAttributes:                  c.ReadAttributes,
			ExplicitAuthFlows:               c.ExplicitAuthFlows,
			CallbackURLs:                    c.CallbackURLs,
			LogoutURLs:                      c.LogoutURLs,
			AllowedOAuthFlows:               c.AllowedOAuthFlows,
			AllowedOAuthScopes:              c.AllowedOAuthScopes,
			AllowedOAuthFlowsUserPoolClient: len(c.AllowedOAuthFlows) > 0,
		},
		EnableTokenRevocation:      true,
		PreventUserExistenceErrors: "ENABLED",
	}
}

type describeUserPoolClientInput struct {
	UserPoolID string `json:"UserPoolId"`
	ClientID   string `json:"ClientId"`
}

func (p *Pool) describeUserPoolClient(_ context.Context, in *describeUserPoolClientInput) (*userPoolClientOutput, error) {
	if err := p.checkPool(in.UserPoolID); err != nil {
		return nil, err
	}
	c, ok := p.AppClient(in.ClientID)
	if !ok {
		return nil, errClientNotFound
	}
	return &userPoolClientOutput{UserPoolClient: p.clientType(c)}, nil
}
