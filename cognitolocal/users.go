package cognitolocal

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// User statuses, as UserStatusType names them.
const (
	statusConfirmed      = "CONFIRMED"
	statusUnconfirmed    = "UNCONFIRMED"
	statusForceChangePwd = "FORCE_CHANGE_PASSWORD"
)

// standardAttributes are the OIDC attributes every user pool has.
var standardAttributes = []string{
	"address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
	"locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified",
	"picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo",
}

// CreateUser creates a confirmed, enabled user with a permanent password
// and returns its sub. Custom attributes not yet declared are declared as
// mutable strings, a shortcut for tests the JSON API does not take
// (AdminCreateUser refuses them, as Cognito does).
func (p *Pool) CreateUser(username, password string, attrs map[string]string) (sub string, err error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.declareLocked(attrs)
	u, err := p.createUserLocked(username, attrs)
	if err != nil {
		return "", err
	}
	u.Password = hashPassword(password)
	u.Status = statusConfirmed
	return u.sub(), nil
}

// declareLocked declares unknown custom attributes named in attrs as
// mutable strings.
func (p *Pool) declareLocked(attrs map[string]string) {
	for name := range attrs {
		if strings.HasPrefix(name, "custom:") && p.schema[name] == nil && len(name) > len("custom:") {
			p.schema[name] = &customAttribute{Name: name, DataType: "String", Mutable: true}
		}
	}
}

// createUserLocked adds an enabled user with no password yet.
func (p *Pool) createUserLocked(username string, attrs map[string]string) (*user, error) {
	if username == "" {
		return nil, errUsernameMissing
	}
	if len(username) > 128 || strings.ContainsFunc(username, unicode.IsSpace) {
		return nil, apiErr(codeInvalidParameter, "Username should be at most 128 characters, without whitespace.")
	}
	if _, dup := p.users[fold(username)]; dup {
		return nil, errUserExists
	}
	if err := p.checkAttributesLocked(attrs, nil); err != nil {
		return nil, err
	}
	now := p.now()
	u := &user{
		Username:     username,
		Attributes:   map[string]string{"sub": newUUID()},
		Enabled:      true,
		Created:      now,
		LastModified: now,
	}
	for name, v := range attrs {
		u.Attributes[name] = v
	}
	p.users[fold(username)] = u
	return u, nil
}

// checkAttributesLocked applies Cognito's rules to an attribute update:
// names in the schema, sub never written, immutable custom attributes
// written only at creation (u nil).
func (p *Pool) checkAttributesLocked(attrs map[string]string, u *user) error {
	for name, v := range attrs {
		a, err := p.writableLocked(name, u)
		if err != nil {
			return err
		}
		if len(v) > 2048 {
			return apiErr(codeInvalidParameter, "Attribute value must be at most 2048 characters.")
		}
		if a != nil && (a.MaxLen > 0 && len(v) > a.MaxLen || len(v) < a.MinLen) {
			return apiErr(codeInvalidParameter, "Attribute value does not satisfy the length constraint.")
		}
	}
	return nil
}

// writableLocked checks that attribute name may be written (or deleted):
// in the schema, not sub, and, for an existing user, not an immutable
// custom attribute. It returns the custom attribute, nil for a standard
// one.
func (p *Pool) writableLocked(name string, u *user) (*customAttribute, error) {
	if name == "sub" {
		return nil, errSubImmutable
	}
	if slices.Contains(standardAttributes, name) {
		return nil, nil
	}
	a := p.schema[name]
	if a == nil {
		return nil, errUnknownAttr
	}
	if u != nil && !a.Mutable {
		return nil, errImmutableAttr
	}
	return a, nil
}

// setAttributesLocked writes attrs after checkAttributesLocked. A new
// email (or phone number) is unverified unless the same update verifies
// it, as Cognito resets email_verified on change.
func (p *Pool) setAttributesLocked(u *user, attrs map[string]string) error {
	if err := p.checkAttributesLocked(attrs, u); err != nil {
		return err
	}
	for _, pair := range [][2]string{{"email", "email_verified"}, {"phone_number", "phone_number_verified"}} {
		v, changed := attrs[pair[0]]
		if _, set := attrs[pair[1]]; changed && !set && v != u.Attributes[pair[0]] {
			u.Attributes[pair[1]] = "false"
		}
	}
	maps.Copy(u.Attributes, attrs)
	u.LastModified = p.now()
	return nil
}

func (p *Pool) userLocked(username string) (*user, error) {
	u, ok := p.users[fold(username)]
	if !ok {
		return nil, errUserNotFound
	}
	return u, nil
}

// onUser runs f on username's record under the lock.
func (p *Pool) onUser(username string, f func(*user) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.userLocked(username)
	if err != nil {
		return err
	}
	return f(u)
}

// SetUserAttributes sets attributes of username as AdminUpdateUserAttributes
// does (custom attributes not yet declared are declared as mutable
// strings, as in CreateUser). Tokens issued afterwards carry them.
func (p *Pool) SetUserAttributes(username string, attrs map[string]string) error {
	return p.onUser(username, func(u *user) error {
		p.declareLocked(attrs)
		return p.setAttributesLocked(u, attrs)
	})
}

// CreateGroup creates a group.
func (p *Pool) CreateGroup(name string) error {
	_, err := p.createGroup(group{Name: name})
	return err
}

func (p *Pool) createGroup(g group) (group, error) {
	if g.Name == "" || len(g.Name) > 128 {
		return group{}, apiErr(codeInvalidParameter, "GroupName must be 1 to 128 characters.")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.groups[g.Name]; dup {
		return group{}, apiErr(codeGroupExists, "A group with the name already exists.")
	}
	now := p.now()
	g.Created, g.LastModified = now, now
	p.groups[g.Name] = &g
	return g, nil
}

// AddUserToGroup adds username to group; tokens issued afterwards list it
// in cognito:groups.
func (p *Pool) AddUserToGroup(username, group string) error {
	return p.withGroup(username, group, func(u *user) {
		if !slices.Contains(u.Groups, group) {
			u.Groups = append(u.Groups, group)
		}
	})
}

// RemoveUserFromGroup removes username from group.
func (p *Pool) RemoveUserFromGroup(username, group string) error {
	return p.withGroup(username, group, func(u *user) {
		u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return g == group })
	})
}

// withGroup runs f under the lock once user and group are known to exist.
func (p *Pool) withGroup(username, group string, f func(*user)) error {
	return p.onUser(username, func(u *user) error {
		if p.groups[group] == nil {
			return errGroupNotFound
		}
		f(u)
		return nil
	})
}

// DisableUser disables username and, as AdminDisableUser does, revokes
// its tokens: sign-in and refresh fail, and the user operations refuse
// its access tokens, even after EnableUser.
func (p *Pool) DisableUser(username string) error {
	if err := p.setEnabled(username, false); err != nil {
		return err
	}
	return p.GlobalSignOut(username)
}

// EnableUser enables username again.
func (p *Pool) EnableUser(username string) error { return p.setEnabled(username, true) }

func (p *Pool) setEnabled(username string, enabled bool) error {
	return p.onUser(username, func(u *user) error {
		u.Enabled = enabled
		u.LastModified = p.now()
		return nil
	})
}

// SetUserPassword sets username's password as AdminSetUserPassword does:
// a permanent one confirms the user, a temporary one forces a change at
// the next sign-in.
func (p *Pool) SetUserPassword(username, password string, permanent bool) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	h := hashPassword(password)
	return p.onUser(username, func(u *user) error {
		u.Password = h
		if permanent {
			u.Status = statusConfirmed
		} else {
			u.Status = statusForceChangePwd
		}
		u.LastModified = p.now()
		return nil
	})
}

// GlobalSignOut ends every refresh-token family of username: refreshes
// fail and the user operations refuse the families' access tokens.
func (p *Pool) GlobalSignOut(username string) error {
	return p.onUser(username, func(u *user) error {
		for _, f := range p.families {
			if fold(f.Username) == fold(u.Username) {
				f.Revoked = true
			}
		}
		return nil
	})
}

// checkPassword applies Cognito's default password policy: at least 8
// characters with a lowercase and an uppercase letter, a digit and a
// symbol.
func checkPassword(pw string) error {
	var lower, upper, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case strings.ContainsRune("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ", r):
			symbol = true
		}
	}
	switch {
	case len(pw) < 8:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password not long enough")
	case len(pw) > 256:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password too long")
	case !lower:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password must have lowercase characters")
	case !upper:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password must have uppercase characters")
	case !digit:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password must have numeric characters")
	case !symbol:
		return apiErr(codeInvalidPassword, "Password did not conform with policy: Password must have symbol characters")
	}
	return nil
}

// Passwords are kept as PBKDF2-HMAC-SHA256 with a random salt, so a saved
// state file holds no password. The iteration count is modest: this pool
// guards development accounts, and every sign-in of a test pays it.
const pbkdf2Iterations = 4096

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, pw, salt, pbkdf2Iterations, 32)
	if err != nil {
		return "" // unreachable for these parameters; matches no password
	}
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key)
}

// decoyHash is checked against when the user does not exist.
var decoyHash = sync.OnceValue(func() string { return hashPassword(randomToken(16)) })

func checkPasswordHash(stored, pw string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 3 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[1])
	want, err2 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pw, salt, pbkdf2Iterations, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}
