package cognitolocal

import "slices"

// Where codes go. Cognito picks the destination from the pool's
// settings: AutoVerifiedAttributes for sign-up codes,
// AccountRecoverySetting for password resets (recovery.go).

// temporaryPasswordLength is the length of generated temporary
// passwords: 12, or the policy's minimum when longer.
func (p *Pool) temporaryPasswordLength() int { return max(12, p.conf().PasswordPolicy.MinimumLength) }

// signUpDestinationLocked returns where u's sign-up code goes, by the
// pool's AutoVerifiedAttributes: the phone number when the pool verifies
// both and the user has one (Cognito prefers SMS then), else the email
// address; ok is false when the pool verifies nothing the user has, and
// then no code is sent.
func (p *Pool) signUpDestinationLocked(u *user) (destination, bool) {
	if d := phoneOf(u); p.AutoVerifies("phone_number") && d.address != "" {
		return d, true
	}
	if d := emailOf(u); p.AutoVerifies("email") && d.address != "" {
		return d, true
	}
	return destination{}, false
}

// attributeDestination returns the destination of a verifiable
// attribute of u; ok is false for other attributes.
func attributeDestination(u *user, name string) (destination, bool) {
	switch name {
	case "email":
		return emailOf(u), true
	case "phone_number":
		return phoneOf(u), true
	}
	return destination{}, false
}

// Default message texts, as a pool without custom messages sends them.
// The code (or temporary password) follows; a local pool never sends
// them, so only their shape matters.
func verificationText(code string) string { return "Your verification code is " + code + "." }

func invitationText(username, password string) string {
	return "Your username is " + username + " and temporary password is " + password + "."
}

// inviteLocked sends u's invitation with its temporary password to the
// desired media (default SMS, API reference of AdminCreateUser) the user
// has an address for. The docs do not say what happens when the user
// has none of them: the pool then uses the email address, else the
// phone number, and sends nothing to a user with neither.
func (p *Pool) inviteLocked(u *user, desired []string, password string) {
	p.sendInvitationLocked(u, desired, password, invitationText(u.Username, password))
}

// sendInvitationLocked sends an invitation's text, holding code, as
// inviteLocked chooses its media; a migrated user's welcome message
// (usermigration.go) goes the same way.
func (p *Pool) sendInvitationLocked(u *user, desired []string, code, text string) {
	if len(desired) == 0 {
		desired = []string{MediumSMS}
	}
	var sent bool
	for _, d := range []destination{emailOf(u), phoneOf(u)} {
		if d.address != "" && slices.Contains(desired, d.medium) {
			p.deliverLocked(u, MessageAdminCreateUser, d, code, text)
			sent = true
		}
	}
	if sent {
		return
	}
	for _, d := range []destination{emailOf(u), phoneOf(u)} {
		if d.address != "" {
			p.deliverLocked(u, MessageAdminCreateUser, d, code, text)
			return
		}
	}
}

// changingAddresses lists the email address or phone number that attrs
// changes on u without verifying it in the same update.
func changingAddresses(u *user, attrs map[string]string) []string {
	var out []string
	for _, name := range []string{"email", "phone_number"} {
		v, ok := attrs[name]
		if ok && v != "" && v != u.Attributes[name] && attrs[name+"_verified"] != "true" {
			out = append(out, name)
		}
	}
	return out
}

// sendChangeCodesLocked sends a code that verifies each changed address
// the pool verifies automatically, as Cognito does after an attribute
// update (API reference, UpdateUserAttributes: CodeDeliveryDetailsList).
func (p *Pool) sendChangeCodesLocked(u *user, changed []string) []*codeDeliveryDetails {
	out := []*codeDeliveryDetails{}
	for _, name := range changed {
		if d, _ := attributeDestination(u, name); p.AutoVerifies(name) && d.address != "" {
			out = append(out, p.sendCodeLocked(u, purposeAttribute+name, attributeCodeValidity, MessageUpdateUserAttribute, d))
		}
	}
	return out
}
