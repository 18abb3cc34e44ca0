package cognitolocal

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// Account recovery: which verified address a password-reset code goes
// to, as the pool's AccountRecoverySetting orders them ("Recovering user
// accounts", developer guide,
// https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-recover-a-user-account.html).

// The recovery mechanisms of RecoveryOptionType.Name.
const (
	// RecoveryVerifiedEmail sends the code to a verified email address.
	RecoveryVerifiedEmail = "verified_email"
	// RecoveryVerifiedPhone sends the code by SMS to a verified phone
	// number.
	RecoveryVerifiedPhone = "verified_phone_number"
	// RecoveryAdminOnly turns self-service recovery off: ForgotPassword
	// and AdminResetUserPassword are refused, and only
	// AdminSetUserPassword sets a new password.
	RecoveryAdminOnly = "admin_only"
)

// errAdminOnlyRecovery answers ForgotPassword and AdminResetUserPassword
// in a pool whose recovery is admin_only. Their API reference pages say
// only that the operation needs self-service account recovery; the
// exception and message are the pool's choice (see recovery_test.go).
var errAdminOnlyRecovery = apiErr(codeNotAuthorized, "Contact administrator to reset password.")

// RecoveryOption is a RecoveryOptionType: a recovery mechanism and its
// priority, 1 first.
type RecoveryOption struct {
	Name     string `json:"name"`
	Priority int    `json:"priority"`
}

// checkRecovery checks an account recovery setting and returns it in
// priority order: one or two known mechanisms of priority 1 or 2, no
// mechanism or priority twice, admin_only alone ("You cannot use
// admin_only with any other account recovery mechanism", developer
// guide). Nil means no setting.
func checkRecovery(opts []RecoveryOption) ([]RecoveryOption, error) {
	if opts == nil {
		return nil, nil
	}
	if len(opts) < 1 || len(opts) > 2 {
		return nil, apiErr(codeInvalidParameter, "AccountRecoverySetting needs one or two recovery mechanisms.")
	}
	for i, o := range opts {
		if o.Name != RecoveryVerifiedEmail && o.Name != RecoveryVerifiedPhone && o.Name != RecoveryAdminOnly {
			return nil, apiErr(codeInvalidParameter, "Recovery mechanisms are verified_email, verified_phone_number and admin_only.")
		}
		if o.Priority < 1 || o.Priority > 2 {
			return nil, apiErr(codeInvalidParameter, "A recovery mechanism's priority is 1 or 2.")
		}
		for _, before := range opts[:i] {
			if before.Name == o.Name || before.Priority == o.Priority {
				return nil, apiErr(codeInvalidParameter, "AccountRecoverySetting gives a recovery mechanism or a priority twice.")
			}
		}
	}
	if len(opts) > 1 && slices.ContainsFunc(opts, func(o RecoveryOption) bool { return o.Name == RecoveryAdminOnly }) {
		return nil, apiErr(codeInvalidParameter, "admin_only cannot be combined with another recovery mechanism.")
	}
	sorted := slices.Clone(opts)
	slices.SortFunc(sorted, func(a, b RecoveryOption) int { return cmp.Compare(a.Priority, b.Priority) })
	return sorted, nil
}

// recoverySettingInput is AccountRecoverySettingType.
type recoverySettingInput struct {
	RecoveryMechanisms *[]struct {
		Priority *int    `json:"Priority"`
		Name     *string `json:"Name"`
	} `json:"RecoveryMechanisms"`
}

// parseRecovery reads AccountRecoverySetting: the model's constraints
// (RecoveryMechanismsType, 1 to 2 items; RecoveryOptionType, Priority 1
// to 2 and Name, both required) answered as Cognito answers a model
// violation, then checkRecovery. A setting without RecoveryMechanisms is
// no setting.
func parseRecovery(raw json.RawMessage) ([]RecoveryOption, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	var in recoverySettingInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, apiErr("SerializationException", "AccountRecoverySetting is not an AccountRecoverySettingType.")
	}
	if in.RecoveryMechanisms == nil {
		return nil, nil
	}
	list := *in.RecoveryMechanisms
	const at = "accountRecoverySetting.recoveryMechanisms"
	switch {
	case len(list) < 1:
		return nil, invalidMember(at, "Member must have length greater than or equal to 1")
	case len(list) > 2:
		return nil, invalidMember(at, "Member must have length less than or equal to 2")
	}
	opts := make([]RecoveryOption, len(list))
	for i, o := range list {
		member := fmt.Sprintf("%s.%d.member.", at, i+1)
		switch {
		case o.Priority == nil:
			return nil, invalidMember(member+"priority", "Member must not be null")
		case *o.Priority < 1:
			return nil, invalidMember(member+"priority", "Member must have value greater than or equal to 1")
		case *o.Priority > 2:
			return nil, invalidMember(member+"priority", "Member must have value less than or equal to 2")
		case o.Name == nil:
			return nil, invalidMember(member+"name", "Member must not be null")
		case *o.Name != RecoveryVerifiedEmail && *o.Name != RecoveryVerifiedPhone && *o.Name != RecoveryAdminOnly:
			return nil, invalidMember(member+"name", "Member must satisfy enum value set: [verified_email, verified_phone_number, admin_only]")
		}
		opts[i] = RecoveryOption{Name: *o.Name, Priority: *o.Priority}
	}
	return checkRecovery(opts)
}

// recoveryWire answers AccountRecoverySettingType.
func recoveryWire(opts []RecoveryOption) map[string]any {
	out := make([]map[string]any, len(opts))
	for i, o := range opts {
		out[i] = map[string]any{"Priority": o.Priority, "Name": o.Name}
	}
	return map[string]any{"RecoveryMechanisms": out}
}

// recoveryOrderLocked returns the mechanisms u's reset code may use, in
// priority order. Without a setting, Cognito's legacy order: a verified
// phone number, then a verified email address. With one, a phone number
// u signs in with by SMS MFA does not qualify, nor an email address u
// signs in with by email MFA (API reference, CreateUserPool,
// AccountRecoverySetting).
func (p *Pool) recoveryOrderLocked(u *user) []string {
	set := p.conf().AccountRecovery
	if set == nil {
		return []string{RecoveryVerifiedPhone, RecoveryVerifiedEmail}
	}
	factors := p.enabledFactorsLocked(u)
	var out []string
	for _, o := range set {
		switch {
		case o.Name == RecoveryVerifiedPhone && slices.Contains(factors, factorSMS):
		case o.Name == RecoveryVerifiedEmail && slices.Contains(factors, factorEmail):
		default:
			out = append(out, o.Name)
		}
	}
	return out
}

// recoveryDestinationLocked returns where u's password-reset code goes:
// the first verified attribute in the pool's recovery order; ok is false
// when the user has none.
func (p *Pool) recoveryDestinationLocked(u *user) (destination, bool) {
	for _, m := range p.recoveryOrderLocked(u) {
		switch m {
		case RecoveryVerifiedPhone:
			if d := phoneOf(u); d.address != "" && u.Attributes["phone_number_verified"] == "true" {
				return d, true
			}
		case RecoveryVerifiedEmail:
			if d := emailOf(u); d.address != "" && u.Attributes["email_verified"] == "true" {
				return d, true
			}
		}
	}
	return destination{}, false
}

// selfServiceRecovery refuses a password reset in a pool whose recovery
// is admin_only.
func (p *Pool) selfServiceRecovery() error {
	if set := p.conf().AccountRecovery; len(set) == 1 && set[0].Name == RecoveryAdminOnly {
		return errAdminOnlyRecovery
	}
	return nil
}
