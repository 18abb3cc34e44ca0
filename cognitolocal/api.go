package cognitolocal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// targetPrefix starts the X-Amz-Target of every user-pool operation.
const targetPrefix = "AWSCognitoIdentityProviderService."

// maxAPIBody bounds a JSON API request body.
const maxAPIBody = 1 << 20

// apiCall is one JSON API request: its body and what routes it.
type apiCall struct {
	svc  *Service
	r    *http.Request
	body []byte
}

// sourceIPKey keys the address a JSON API request came from in its
// context (withSourceIP).
type sourceIPKey struct{}

// withSourceIP records the IP address of remoteAddr (a request's
// RemoteAddr, "host:port") in ctx: the source IP that a device's
// last_ip_used reports. Forwarding headers are not read: the pool is
// reached on loopback, by no proxy.
func withSourceIP(ctx context.Context, remoteAddr string) context.Context {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil || net.ParseIP(host) == nil {
		return ctx
	}
	return context.WithValue(ctx, sourceIPKey{}, host)
}

// sourceIP is the address withSourceIP recorded, "" when the call did not
// come over HTTP.
func sourceIP(ctx context.Context) string {
	ip, _ := ctx.Value(sourceIPKey{}).(string)
	return ip
}

// apiOp runs one operation of a JSON API request.
type apiOp func(ctx context.Context, c *apiCall) (any, error)

// decode reads the body into in (unknown members ignored, as the SDKs
// send members this pool does not model).
func (c *apiCall) decode(in any) error {
	if err := json.Unmarshal(c.body, in); err != nil {
		return apiErr("SerializationException", "The request body is not valid JSON for this operation.")
	}
	return nil
}

// pool finds the pool a request is for: by its UserPoolId, else its
// ClientId, else the issuer of its AccessToken, else the pool holding its
// challenge Session (AssociateSoftwareToken and VerifySoftwareToken during
// MFA_SETUP name nothing else). A request naming none, or an unknown
// client, token or session, goes to the oldest pool, which answers it as
// a single pool would.
func (c *apiCall) pool() (*Pool, error) {
	var route struct {
		UserPoolID  string `json:"UserPoolId"`
		ClientID    string `json:"ClientId"`
		AccessToken string `json:"AccessToken"`
		Session     string `json:"Session"`
	}
	_ = json.Unmarshal(c.body, &route) // a member of another type routes nowhere
	var p *Pool
	switch {
	case route.UserPoolID != "":
		if p, _ = c.svc.Pool(route.UserPoolID); p == nil {
			return nil, errPoolNotFound
		}
		return p, nil
	case route.ClientID != "":
		p = c.svc.poolOfClient(route.ClientID)
	case route.AccessToken != "":
		p = c.svc.poolOfToken(route.AccessToken)
	case route.Session != "":
		p = c.svc.poolOfSession(route.Session)
	}
	if p == nil {
		p = c.svc.first()
	}
	if p == nil {
		return nil, errPoolNotFound
	}
	return p, nil
}

// op adapts an operation on one pool: the body decodes into In, the
// request is routed to its pool, and the result encodes as the answer.
func op[In, Out any](f func(*Pool, context.Context, *In) (*Out, error)) apiOp {
	return func(ctx context.Context, c *apiCall) (any, error) {
		var in In
		if err := c.decode(&in); err != nil {
			return nil, err
		}
		p, err := c.pool()
		if err != nil {
			return nil, err
		}
		out, err := f(p, ctx, &in)
		if err != nil {
			return nil, err
		}
		if err := p.sendHeldCode(ctx, any(out), c); err != nil {
			return nil, err
		}
		return out, nil
	}
}

// serviceOp adapts an operation on the service itself: creating and
// listing pools.
func serviceOp[In, Out any](f func(*Service, *apiCall, *In) (*Out, error)) apiOp {
	return func(_ context.Context, c *apiCall) (any, error) {
		var in In
		if err := c.decode(&in); err != nil {
			return nil, err
		}
		return f(c.svc, c, &in)
	}
}

// apiOps are the operations the pool answers, named as in X-Amz-Target.
var apiOps = map[string]apiOp{
	"InitiateAuth":                     op((*Pool).initiateAuth),
	"RespondToAuthChallenge":           op((*Pool).respondToAuthChallenge),
	"GetUser":                          op((*Pool).getUser),
	"UpdateUserAttributes":             op((*Pool).updateUserAttributes),
	"DeleteUserAttributes":             op((*Pool).deleteUserAttributes),
	"GlobalSignOut":                    op((*Pool).globalSignOut),
	"RevokeToken":                      op((*Pool).revokeToken),
	"SignUp":                           op((*Pool).signUp),
	"AdminCreateUser":                  op((*Pool).adminCreateUser),
	"AdminSetUserPassword":             op((*Pool).adminSetUserPassword),
	"AdminGetUser":                     op((*Pool).adminGetUser),
	"AdminUpdateUserAttributes":        op((*Pool).adminUpdateUserAttributes),
	"AdminDeleteUserAttributes":        op((*Pool).adminDeleteUserAttributes),
	"AdminAddUserToGroup":              userGroupOp((*Pool).AddUserToGroup),
	"AdminRemoveUserFromGroup":         userGroupOp((*Pool).RemoveUserFromGroup),
	"AdminListGroupsForUser":           op((*Pool).adminListGroupsForUser),
	"AdminDisableUser":                 userOp((*Pool).DisableUser),
	"AdminEnableUser":                  userOp((*Pool).EnableUser),
	"AdminUserGlobalSignOut":           userOp((*Pool).GlobalSignOut),
	"AdminConfirmSignUp":               op((*Pool).adminConfirmSignUp),
	"CreateGroup":                      op((*Pool).createGroupOp),
	"ListUsers":                        op((*Pool).listUsers),
	"AddCustomAttributes":              op((*Pool).addCustomAttributes),
	"CreateUserPool":                   serviceOp((*Service).createUserPool),
	"DescribeUserPool":                 op((*Pool).describeUserPool),
	"ListUserPools":                    serviceOp((*Service).listUserPools),
	"UpdateUserPool":                   op((*Pool).updateUserPool),
	"DeleteUserPool":                   serviceOp((*Service).deleteUserPool),
	"CreateUserPoolClient":             op((*Pool).createUserPoolClient),
	"DescribeUserPoolClient":           op((*Pool).describeUserPoolClient),
	"SetUserPoolMfaConfig":             op((*Pool).setUserPoolMfaConfig),
	"GetUserPoolMfaConfig":             op((*Pool).getUserPoolMfaConfig),
	"AssociateSoftwareToken":           op((*Pool).associateSoftwareToken),
	"VerifySoftwareToken":              op((*Pool).verifySoftwareToken),
	"SetUserMFAPreference":             op((*Pool).setUserMFAPreference),
	"AdminSetUserMFAPreference":        op((*Pool).adminSetUserMFAPreference),
	"AdminDeleteUser":                  op((*Pool).adminDeleteUser),
	"DeleteUser":                       op((*Pool).deleteUser),
	"ChangePassword":                   op((*Pool).changePassword),
	"ForgotPassword":                   op((*Pool).forgotPassword),
	"ConfirmForgotPassword":            op((*Pool).confirmForgotPassword),
	"AdminResetUserPassword":           op((*Pool).adminResetUserPassword),
	"ConfirmSignUp":                    op((*Pool).confirmSignUp),
	"ResendConfirmationCode":           op((*Pool).resendConfirmationCode),
	"GetUserAttributeVerificationCode": op((*Pool).getUserAttributeVerificationCode),
	"VerifyUserAttribute":              op((*Pool).verifyUserAttribute),
	"AdminInitiateAuth":                op((*Pool).adminInitiateAuth),
	"AdminRespondToAuthChallenge":      op((*Pool).adminRespondToAuthChallenge),
	"CreateResourceServer":             op((*Pool).createResourceServer),
	"DescribeResourceServer":           op((*Pool).describeResourceServer),
	"ListResourceServers":              op((*Pool).listResourceServers),
	"UpdateResourceServer":             op((*Pool).updateResourceServer),
	"DeleteResourceServer":             op((*Pool).deleteResourceServer),
	"UpdateUserPoolClient":             op((*Pool).updateUserPoolClient),
	"ListUserPoolClients":              op((*Pool).listUserPoolClients),
	"DeleteUserPoolClient":             op((*Pool).deleteUserPoolClient),
	"ListGroups":                       op((*Pool).listGroups),
	"GetGroup":                         op((*Pool).getGroup),
	"UpdateGroup":                      op((*Pool).updateGroupOp),
	"DeleteGroup":                      op((*Pool).deleteGroup),
	"ListUsersInGroup":                 op((*Pool).listUsersInGroup),
	"ConfirmDevice":                    op((*Pool).confirmDevice),
	"GetDevice":                        op((*Pool).getDevice),
	"ListDevices":                      op((*Pool).listDevices),
	"UpdateDeviceStatus":               op((*Pool).updateDeviceStatus),
	"ForgetDevice":                     op((*Pool).forgetDevice),
	"AdminGetDevice":                   op((*Pool).adminGetDevice),
	"AdminListDevices":                 op((*Pool).adminListDevices),
	"AdminUpdateDeviceStatus":          op((*Pool).adminUpdateDeviceStatus),
	"AdminForgetDevice":                op((*Pool).adminForgetDevice),
	"TagResource":                      serviceOp((*Service).tagResource),
	"UntagResource":                    serviceOp((*Service).untagResource),
	"ListTagsForResource":              serviceOp((*Service).listTagsForResource),
	"CreateUserPoolDomain":             op((*Pool).createUserPoolDomain),
	"DescribeUserPoolDomain":           serviceOp((*Service).describeUserPoolDomain),
	"UpdateUserPoolDomain":             op((*Pool).updateUserPoolDomain),
	"DeleteUserPoolDomain":             op((*Pool).deleteUserPoolDomain),
	"SetUICustomization":               op((*Pool).setUICustomization),
	"GetUICustomization":               op((*Pool).getUICustomization),
	"SetUserSettings":                  op((*Pool).setUserSettings),
	"AdminSetUserSettings":             op((*Pool).adminSetUserSettings),
	"GetUserAuthFactors":               op((*Pool).getUserAuthFactors),
	"AdminGetUserAuthFactors":          op((*Pool).adminGetUserAuthFactors),
	"GetSigningCertificate":            op((*Pool).getSigningCertificate),
	"GetCSVHeader":                     op((*Pool).getCSVHeader),
	"CreateUserImportJob":              op((*Pool).createUserImportJob),
	"StartUserImportJob":               op((*Pool).startUserImportJob),
	"StopUserImportJob":                op((*Pool).stopUserImportJob),
	"DescribeUserImportJob":            op((*Pool).describeUserImportJob),
	"ListUserImportJobs":               op((*Pool).listUserImportJobs),
}

// serveAPI answers the JSON API. Requests are not SigV4-checked: any
// credentials work, which is what a local pool wants and a real one never
// does.
func (s *Service) serveAPI(w http.ResponseWriter, r *http.Request) {
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
	out, err := any(nil), validateMembers(name, body, s.knownID)
	if err == nil {
		out, err = f(withSourceIP(r.Context(), r.RemoteAddr), &apiCall{svc: s, r: r, body: body})
	}
	if s.logger != nil {
		s.logger.LogAttrs(r.Context(), levelFor(err), "cognitolocal: api", slogOp(name), slogErr(err))
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
	return p.onUser(in.Username, f)
}
