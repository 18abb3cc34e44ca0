package cognitolocal

import (
	"maps"
	"slices"
)

// Alias uniqueness. Developer guide, "User pool attributes", aliases
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html):
// "Alias values must be unique in a user pool. If you configure an alias
// for an email address or phone number, the value that you provide can be
// in a verified state in only one account." Sign-up with a taken value
// succeeds; confirming it answers AliasExistsException, unless
// ConfirmSignUp's ForceAliasCreation "moves the alias from the previous
// account to the newly created account, and marks the attribute
// unverified in the previous account". With email or phone number as a
// username attribute, the value "must be unique, and it must not already
// be in use by another user. It doesn't have to be verified."

// aliasExists answers a value another user holds as an alias; the
// message is the one Cognito sends (the API reference documents the
// exception, not its text).
func aliasExists(attribute string) error {
	return apiErr("AliasExistsException", "An account with the given "+attribute+" already exists.")
}

// activeAlias reports whether attrs hold attribute a as a sign-in alias
// of the pool: any value of a username attribute or of
// preferred_username, a verified value of an email or phone alias.
func (s *poolSettings) activeAlias(attrs map[string]string, a string) bool {
	v := attrs[a]
	switch {
	case v == "":
		return false
	case slices.Contains(s.UsernameAttributes, a):
		return true
	case !slices.Contains(s.AliasAttributes, a):
		return false
	case a == "preferred_username":
		return true
	}
	return attrs[a+"_verified"] == "true"
}

// claimAliasesLocked checks the aliases attrs (u's attributes as they
// are about to be) give u against every other user. Without force a
// value another user holds is AliasExistsException; with force an email
// or phone alias moves to u and is left unverified on the other user
// (ForceAliasCreation of ConfirmSignUp and AdminCreateUser). Username
// attributes and preferred_username never move: their value names the
// other user, verified or not. Nothing changes when an error is
// returned.
func (p *Pool) claimAliasesLocked(u *user, attrs map[string]string, force bool) error {
	s := p.conf()
	var moves []*user
	var moved []string
	for _, a := range []string{"email", "phone_number", "preferred_username"} {
		if !s.activeAlias(attrs, a) {
			continue
		}
		for _, other := range p.users {
			if other == u || other.Username == u.Username || !s.activeAlias(other.Attributes, a) || !p.sameAlias(other.Attributes[a], attrs[a]) {
				continue
			}
			if !force || a == "preferred_username" || slices.Contains(s.UsernameAttributes, a) {
				return aliasExists(a)
			}
			moves, moved = append(moves, other), append(moved, a)
		}
	}
	for i, other := range moves {
		other.Attributes[moved[i]+"_verified"] = "false"
		other.LastModified = p.now()
	}
	return nil
}

// verifyAliasLocked marks u's attribute a verified where a code proved
// it in passing (an MFA or sign-in code), unless that would make it an
// alias another user holds: the guide's rule wins, and a is left as it
// was. It reports whether a was marked.
func (p *Pool) verifyAliasLocked(u *user, a string) bool {
	next := maps.Clone(u.Attributes)
	next[a+"_verified"] = "true"
	if p.claimAliasesLocked(u, next, false) != nil {
		return false
	}
	u.Attributes = next
	return true
}
