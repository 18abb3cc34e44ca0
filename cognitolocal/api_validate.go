package cognitolocal

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// apiRequired names, per operation, the members the Cognito API model
// marks required. The AWS SDKs check these before sending; a raw HTTP
// client does not, and Cognito answers InvalidParameterException rather
// than acting on a request that lacks one.
var apiRequired = map[string][]string{
	"AddCustomAttributes":              {"UserPoolId", "CustomAttributes"},
	"AdminAddUserToGroup":              {"UserPoolId", "Username", "GroupName"},
	"AdminConfirmSignUp":               {"UserPoolId", "Username"},
	"AdminCreateUser":                  {"UserPoolId", "Username"},
	"AdminDeleteUser":                  {"UserPoolId", "Username"},
	"AdminDeleteUserAttributes":        {"UserPoolId", "Username", "UserAttributeNames"},
	"AdminDisableUser":                 {"UserPoolId", "Username"},
	"AdminEnableUser":                  {"UserPoolId", "Username"},
	"AdminForgetDevice":                {"UserPoolId", "Username", "DeviceKey"},
	"AdminGetDevice":                   {"DeviceKey", "UserPoolId", "Username"},
	"AdminGetUser":                     {"UserPoolId", "Username"},
	"AdminGetUserAuthFactors":          {"UserPoolId", "Username"},
	"AdminInitiateAuth":                {"UserPoolId", "ClientId", "AuthFlow"},
	"AdminListDevices":                 {"UserPoolId", "Username"},
	"AdminListGroupsForUser":           {"Username", "UserPoolId"},
	"AdminRemoveUserFromGroup":         {"UserPoolId", "Username", "GroupName"},
	"AdminResetUserPassword":           {"UserPoolId", "Username"},
	"AdminRespondToAuthChallenge":      {"UserPoolId", "ClientId", "ChallengeName"},
	"AdminSetUserMFAPreference":        {"Username", "UserPoolId"},
	"AdminSetUserPassword":             {"UserPoolId", "Username", "Password"},
	"AdminSetUserSettings":             {"UserPoolId", "Username", "MFAOptions"},
	"AdminUpdateDeviceStatus":          {"UserPoolId", "Username", "DeviceKey"},
	"AdminUpdateUserAttributes":        {"UserPoolId", "Username", "UserAttributes"},
	"AdminUserGlobalSignOut":           {"UserPoolId", "Username"},
	"AssociateSoftwareToken":           {},
	"ChangePassword":                   {"PreviousPassword", "ProposedPassword", "AccessToken"},
	"ConfirmDevice":                    {"AccessToken", "DeviceKey"},
	"ConfirmForgotPassword":            {"ClientId", "Username", "ConfirmationCode", "Password"},
	"ConfirmSignUp":                    {"ClientId", "Username", "ConfirmationCode"},
	"CreateGroup":                      {"GroupName", "UserPoolId"},
	"CreateResourceServer":             {"UserPoolId", "Identifier", "Name"},
	"CreateUserImportJob":              {"JobName", "UserPoolId", "CloudWatchLogsRoleArn"},
	"CreateUserPool":                   {"PoolName"},
	"CreateUserPoolClient":             {"UserPoolId", "ClientName"},
	"CreateUserPoolDomain":             {"Domain", "UserPoolId"},
	"DeleteGroup":                      {"GroupName", "UserPoolId"},
	"DeleteResourceServer":             {"UserPoolId", "Identifier"},
	"DeleteUser":                       {"AccessToken"},
	"DeleteUserAttributes":             {"UserAttributeNames", "AccessToken"},
	"DeleteUserPool":                   {"UserPoolId"},
	"DeleteUserPoolClient":             {"UserPoolId", "ClientId"},
	"DeleteUserPoolDomain":             {"Domain", "UserPoolId"},
	"DescribeResourceServer":           {"UserPoolId", "Identifier"},
	"DescribeUserImportJob":            {"UserPoolId", "JobId"},
	"DescribeUserPool":                 {"UserPoolId"},
	"DescribeUserPoolClient":           {"UserPoolId", "ClientId"},
	"DescribeUserPoolDomain":           {"Domain"},
	"ForgetDevice":                     {"DeviceKey"},
	"ForgotPassword":                   {"ClientId", "Username"},
	"GetCSVHeader":                     {"UserPoolId"},
	"GetDevice":                        {"DeviceKey"},
	"GetGroup":                         {"GroupName", "UserPoolId"},
	"GetSigningCertificate":            {"UserPoolId"},
	"GetUICustomization":               {"UserPoolId"},
	"GetUser":                          {"AccessToken"},
	"GetUserAttributeVerificationCode": {"AccessToken", "AttributeName"},
	"GetUserAuthFactors":               {"AccessToken"},
	"GetUserPoolMfaConfig":             {"UserPoolId"},
	"GlobalSignOut":                    {"AccessToken"},
	"InitiateAuth":                     {"AuthFlow", "ClientId"},
	"ListDevices":                      {"AccessToken"},
	"ListGroups":                       {"UserPoolId"},
	"ListResourceServers":              {"UserPoolId"},
	"ListTagsForResource":              {"ResourceArn"},
	"ListUserImportJobs":               {"UserPoolId", "MaxResults"},
	"ListUserPoolClients":              {"UserPoolId"},
	"ListUserPools":                    {"MaxResults"},
	"ListUsers":                        {"UserPoolId"},
	"ListUsersInGroup":                 {"UserPoolId", "GroupName"},
	"ResendConfirmationCode":           {"ClientId", "Username"},
	"RespondToAuthChallenge":           {"ClientId", "ChallengeName"},
	"RevokeToken":                      {"Token", "ClientId"},
	"SetUICustomization":               {"UserPoolId"},
	"SetUserMFAPreference":             {"AccessToken"},
	"SetUserPoolMfaConfig":             {"UserPoolId"},
	"SetUserSettings":                  {"AccessToken", "MFAOptions"},
	"SignUp":                           {"ClientId", "Username", "Password"},
	"StartUserImportJob":               {"UserPoolId", "JobId"},
	"StopUserImportJob":                {"UserPoolId", "JobId"},
	"TagResource":                      {"ResourceArn", "Tags"},
	"UntagResource":                    {"ResourceArn", "TagKeys"},
	"UpdateDeviceStatus":               {"AccessToken", "DeviceKey"},
	"UpdateGroup":                      {"GroupName", "UserPoolId"},
	"UpdateResourceServer":             {"UserPoolId", "Identifier", "Name"},
	"UpdateUserAttributes":             {"UserAttributes", "AccessToken"},
	"UpdateUserPool":                   {"UserPoolId"},
	"UpdateUserPoolClient":             {"UserPoolId", "ClientId"},
	"UpdateUserPoolDomain":             {"Domain", "UserPoolId"},
	"VerifySoftwareToken":              {"UserCode"},
	"VerifyUserAttribute":              {"AccessToken", "AttributeName", "Code"},
}

// memberLimit is the length and pattern the API model gives a string
// member. Lengths count characters, as Cognito does; the pattern is the
// model's text, which must match the whole value.
type memberLimit struct {
	min, max int
	model    string // the pattern as the model and Cognito's message give it
	pattern  *regexp.Regexp
}

// limit returns the memberLimit of a model shape; pattern "" is none.
func limit(minLen, maxLen int, pattern string) memberLimit {
	l := memberLimit{min: minLen, max: maxLen, model: pattern}
	if pattern != "" {
		l.pattern = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return l
}

// Patterns of botocore's cognito-idp model shared by several members.
const (
	printable     = `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`
	wordsAndPunct = `[\w\s+=,.@-]+`
	nonSpace      = `[\S]+`
	tokenModel    = `[A-Za-z0-9-_=.]+`
	arnModel      = `arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`
	unbounded     = math.MaxInt
)

// apiLimits are the limits checked on top-level string members of every
// operation, so an identifier the model rejects is refused rather than
// stored or looked up. Each is its shape in botocore's cognito-idp
// service-2.json (UserPoolIdType, ClientIdType, UsernameType, …).
// UserPoolId and ClientId have one exception, see knownID.
var apiLimits = map[string]memberLimit{
	"UserPoolId":        limit(1, 55, `[\w-]+_[0-9a-zA-Z]+`),
	"ClientId":          limit(1, 128, `[\w+]+`),
	"Username":          limit(1, 128, printable),
	"GroupName":         limit(1, 128, printable),
	"AttributeName":     limit(1, 32, `[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+`),
	"PoolName":          limit(1, 128, wordsAndPunct),
	"ClientName":        limit(1, 128, wordsAndPunct),
	"Name":              limit(1, 256, wordsAndPunct),
	"Identifier":        limit(1, 256, `[\x21\x23-\x5B\x5D-\x7E]+`),
	"Description":       limit(0, 2048, ""),
	"Filter":            limit(0, 256, ""),
	"Password":          passwordLimit,
	"PreviousPassword":  passwordLimit,
	"ProposedPassword":  passwordLimit,
	"TemporaryPassword": passwordLimit,
	"ConfirmationCode":  limit(1, 2048, nonSpace),
	"Code":              limit(1, 2048, nonSpace),
	"SecretHash":        limit(1, 128, `[\w+=/]+`),
	"Session":           limit(0, 2048, ""),
	"UserCode":          limit(6, 6, `[0-9]+`),
	"DeviceKey":         limit(1, 55, `[\w-]+_[0-9a-f-]+`),
	"DeviceName":        limit(1, 1024, ""),
	"AccessToken":       limit(0, unbounded, tokenModel),
	"Token":             limit(0, unbounded, tokenModel),
	"NextToken":         limit(1, 131072, nonSpace),
	"PaginationToken":   limit(1, unbounded, nonSpace),
	// JobId, JobName and CloudWatchLogsRoleArn are the user import
	// jobs' (UserImportJobIdType, UserImportJobNameType, ArnType).
	"JobId":                 limit(1, 55, `import-[0-9a-zA-Z-]+`),
	"JobName":               limit(1, 128, wordsAndPunct),
	"CloudWatchLogsRoleArn": limit(20, 2048, arnModel),
	"ResourceArn":           limit(20, 2048, arnModel),
	// Domain is DomainType's length; its pattern, which a custom domain's
	// dots break, is the operation's to check (checkDomainName).
	"Domain": limit(1, 63, ""),
	// CSS is CSSType (SetUICustomization); its rules are checkUICSS's.
	"CSS": limit(0, 131072, ""),
}

// passwordLimit is PasswordType (Password, PreviousPassword,
// ProposedPassword, TemporaryPassword): at most 256 characters, and no
// whitespace at either end. The model writes the pattern [\S]+, yet the
// developer guide counts "non-leading, non-trailing space characters"
// among a password's special characters ("Passwords, account recovery,
// and password policies"), and Cognito answers a password with an outer
// space with the pattern ^[\S]+.*[\S]+$ (as clients report it,
// cds-snc/platform-forms-client#5635), which is what the pool checks and
// names. \S is Java's: not space, tab, newline, vertical tab, form feed
// or carriage return. An empty password, which SignUp and
// AdminCreateUser take for a passwordless user, is left to the
// operation.
var passwordLimit = memberLimit{
	min: 0, max: 256, model: `^[\S]+.*[\S]+$`,
	pattern: regexp.MustCompile(`^(?:[^\t\n\v\f\r ]+.*[^\t\n\v\f\r ]+)?$`),
}

// knownID reports whether value names a pool (member UserPoolId) or an
// app client (ClientId) of s. Such an ID is never refused for its
// pattern: a local pool's IDs are configurable (Config.PoolID,
// AppClient.ClientID) and need not have Cognito's form, and the default
// client "local-client" has not. The length limits still apply.
func (s *Service) knownID(member, value string) bool {
	switch member {
	case "UserPoolId":
		_, ok := s.Pool(value)
		return ok
	case "ClientId":
		return s.poolOfClient(value) != nil
	}
	return false
}

// validateMembers checks a request body against the model before the
// operation runs: required members present and not null, and string
// members within their limits; known reports the configured IDs a
// pattern does not refuse (Service.knownID). A body that is not a JSON
// object is left to the operation's decoder, which reports it. Messages
// are Cognito's with the member but never its value, since values
// include passwords, codes and tokens.
func validateMembers(op string, body []byte, known func(member, value string) bool) error {
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil || members == nil {
		return nil
	}
	for _, name := range apiRequired[op] {
		if v, ok := members[name]; !ok || string(v) == "null" {
			return invalidMember(name, "Member must not be null")
		}
	}
	for name, lim := range apiLimits {
		raw, ok := members[name]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			continue // not a string: the decoder reports the wrong type
		}
		if lim.pattern != nil && known != nil && known(name, s) {
			lim.pattern = nil
		}
		if err := checkLimit(name, s, lim); err != nil {
			return err
		}
	}
	return validateAttributeLists(members)
}

// validateAttributeLists checks the attribute lists a request carries
// (AttributeType: a name of 1 to 32 printable characters, a value of at
// most 2048), so an attribute the model rejects is never stored. Members
// of the wrong type are left to the decoder.
func validateAttributeLists(members map[string]json.RawMessage) error {
	name := apiLimits["AttributeName"]
	for _, list := range []string{"UserAttributes", "ValidationData"} {
		var attrs []struct {
			Name  *string `json:"Name"`
			Value *string `json:"Value"`
		}
		if raw, ok := members[list]; !ok || json.Unmarshal(raw, &attrs) != nil {
			continue
		}
		for i, a := range attrs {
			at := fmt.Sprintf("%s.%d.member.", list, i+1)
			if a.Name == nil {
				return invalidMember(at+"name", "Member must not be null")
			}
			if err := checkLimit(at+"name", *a.Name, name); err != nil {
				return err
			}
			if a.Value != nil {
				if err := checkLimit(at+"value", *a.Value, limit(0, 2048, "")); err != nil {
					return err
				}
			}
		}
	}
	var names []string
	if raw, ok := members["UserAttributeNames"]; ok && json.Unmarshal(raw, &names) == nil {
		for i, n := range names {
			if err := checkLimit(fmt.Sprintf("UserAttributeNames.%d.member", i+1), n, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLimit reports s outside lim as a violation at member.
func checkLimit(member, s string, lim memberLimit) error {
	n := utf8.RuneCountInString(s)
	switch {
	case n < lim.min:
		return invalidMember(member, fmt.Sprintf("Member must have length greater than or equal to %d", lim.min))
	case n > lim.max:
		return invalidMember(member, fmt.Sprintf("Member must have length less than or equal to %d", lim.max))
	case lim.pattern != nil && !lim.pattern.MatchString(s):
		return invalidMember(member, "Member must satisfy regular expression pattern: "+lim.model)
	}
	return nil
}

// invalidMember words a model violation as Cognito does, with the member
// in lower camel case.
func invalidMember(name, constraint string) error {
	camel := strings.ToLower(name[:1]) + name[1:]
	return apiErr("InvalidParameterException",
		fmt.Sprintf("1 validation error detected: Value at '%s' failed to satisfy constraint: %s", camel, constraint))
}
