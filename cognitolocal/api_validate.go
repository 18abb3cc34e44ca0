package cognitolocal

import (
	"encoding/json"
	"fmt"
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
	"AdminInitiateAuth":                {"UserPoolId", "ClientId", "AuthFlow"},
	"AdminListDevices":                 {"UserPoolId", "Username"},
	"AdminListGroupsForUser":           {"Username", "UserPoolId"},
	"AdminRemoveUserFromGroup":         {"UserPoolId", "Username", "GroupName"},
	"AdminResetUserPassword":           {"UserPoolId", "Username"},
	"AdminRespondToAuthChallenge":      {"UserPoolId", "ClientId", "ChallengeName"},
	"AdminSetUserMFAPreference":        {"Username", "UserPoolId"},
	"AdminSetUserPassword":             {"UserPoolId", "Username", "Password"},
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
	"CreateUserPool":                   {"PoolName"},
	"CreateUserPoolClient":             {"UserPoolId", "ClientName"},
	"DeleteGroup":                      {"GroupName", "UserPoolId"},
	"DeleteResourceServer":             {"UserPoolId", "Identifier"},
	"DeleteUser":                       {"AccessToken"},
	"DeleteUserAttributes":             {"UserAttributeNames", "AccessToken"},
	"DeleteUserPool":                   {"UserPoolId"},
	"DeleteUserPoolClient":             {"UserPoolId", "ClientId"},
	"DescribeResourceServer":           {"UserPoolId", "Identifier"},
	"DescribeUserPool":                 {"UserPoolId"},
	"DescribeUserPoolClient":           {"UserPoolId", "ClientId"},
	"ForgetDevice":                     {"DeviceKey"},
	"ForgotPassword":                   {"ClientId", "Username"},
	"GetDevice":                        {"DeviceKey"},
	"GetGroup":                         {"GroupName", "UserPoolId"},
	"GetUser":                          {"AccessToken"},
	"GetUserAttributeVerificationCode": {"AccessToken", "AttributeName"},
	"GetUserPoolMfaConfig":             {"UserPoolId"},
	"GlobalSignOut":                    {"AccessToken"},
	"InitiateAuth":                     {"AuthFlow", "ClientId"},
	"ListDevices":                      {"AccessToken"},
	"ListGroups":                       {"UserPoolId"},
	"ListResourceServers":              {"UserPoolId"},
	"ListUserPoolClients":              {"UserPoolId"},
	"ListUserPools":                    {"MaxResults"},
	"ListUsers":                        {"UserPoolId"},
	"ListUsersInGroup":                 {"UserPoolId", "GroupName"},
	"ResendConfirmationCode":           {"ClientId", "Username"},
	"RespondToAuthChallenge":           {"ClientId", "ChallengeName"},
	"RevokeToken":                      {"Token", "ClientId"},
	"SetUserMFAPreference":             {"AccessToken"},
	"SetUserPoolMfaConfig":             {"UserPoolId"},
	"SignUp":                           {"ClientId", "Username", "Password"},
	"UpdateDeviceStatus":               {"AccessToken", "DeviceKey"},
	"UpdateGroup":                      {"GroupName", "UserPoolId"},
	"UpdateResourceServer":             {"UserPoolId", "Identifier", "Name"},
	"UpdateUserAttributes":             {"UserAttributes", "AccessToken"},
	"UpdateUserPool":                   {"UserPoolId"},
	"UpdateUserPoolClient":             {"UserPoolId", "ClientId"},
	"VerifySoftwareToken":              {"UserCode"},
	"VerifyUserAttribute":              {"AccessToken", "AttributeName", "Code"},
}

// memberLimit is the length and pattern the API model gives a string
// member. Lengths count characters, as Cognito does.
type memberLimit struct {
	min, max int
	pattern  *regexp.Regexp
}

var (
	printable     = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
	wordsAndPunct = regexp.MustCompile(`^[\w\s+=,.@-]+$`)
	nonSpace      = regexp.MustCompile(`^\S+$`)
)

// apiLimits are the limits checked on top-level string members of every
// operation, so an identifier the model rejects is refused rather than
// stored. UserPoolId and ClientId get their lengths only: a local pool's
// IDs are configurable and need not match Cognito's patterns (the default
// client "local-client" does not).
var apiLimits = map[string]memberLimit{
	"UserPoolId":        {1, 55, nil},
	"ClientId":          {1, 128, nil},
	"Username":          {1, 128, printable},
	"GroupName":         {1, 128, printable},
	"AttributeName":     {1, 32, printable},
	"PoolName":          {1, 128, wordsAndPunct},
	"ClientName":        {1, 128, wordsAndPunct},
	"Name":              {1, 256, wordsAndPunct},
	"Identifier":        {1, 256, regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)},
	"Description":       {0, 2048, nil},
	"Filter":            {0, 256, nil},
	"Password":          {0, 256, nil},
	"PreviousPassword":  {0, 256, nil},
	"ProposedPassword":  {0, 256, nil},
	"TemporaryPassword": {0, 256, nil},
	"ConfirmationCode":  {1, 2048, nonSpace},
	"Code":              {1, 2048, nonSpace},
	"SecretHash":        {1, 128, nil},
	"Session":           {0, 2048, nil},
	"UserCode":          {6, 6, regexp.MustCompile(`^[0-9]+$`)},
	"DeviceKey":         {1, 55, regexp.MustCompile(`^[\w-]+_[0-9a-f-]+$`)},
	"DeviceName":        {1, 1024, nil},
}

// validateMembers checks a request body against the model before the
// operation runs: required members present and not null, and string
// members within their limits. A body that is not a JSON object is left
// to the operation's decoder, which reports it. Messages name the member,
// never its value, since values include passwords and codes.
func validateMembers(op string, body []byte) error {
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
				if err := checkLimit(at+"value", *a.Value, memberLimit{0, 2048, nil}); err != nil {
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
		return invalidMember(member, "Member must satisfy the regular expression pattern of the API model")
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
